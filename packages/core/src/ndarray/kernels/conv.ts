/**
 * 2-D convolution on NCHW typed arrays as im2col plus matrix products (the `gemm` seam of matmul.ts, so the
 * WebAssembly, native and threaded products serve convolutions too).
 *
 * The work is split into chunks of output rows (a row is one (image, output row) pair, `outW` output positions).
 * For a chunk of `cols` output positions, im2col writes the patches as a [K, cols] matrix, K = C * kh * kw (row
 * (c, i, j), column (image, oh, ow)); then for each group g of channels:
 *   forward      Y_g [O/g, cols] = W_g [O/g, K/g] . col_g [K/g, cols]
 *   weight grad  dW_g [O/g, K/g] += dY_g [O/g, cols] . col_g^T
 *   input grad   dcol_g [K/g, cols] = W_g^T . dY_g, scattered back (col2im) into dX.
 * Each kernel holds one patch buffer of at most `convLimits.colElements` elements at a time (a chunk is never smaller than one
 * output row), so memory stays bounded whatever the batch size; the buffers are kept between calls, one set per
 * dtype, so a training loop allocates none. A float32 convolution of one group copies its patches in WebAssembly
 * instead (conv-wasm.ts), with the same results; this file's copies are the reference and serve every other case.
 */
import { type TypedArray, allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { gemm, gemmTransposedB } from './matmul.js';
import { deviceKernel } from '../device.js';
import { type ConvGeometry, buffer, convLimits, forChunks, moveRows, patchCount, productChunk, rowsPerChunk } from './conv-chunks.js';
import { forwardOnWasm, inputGradOnWasm, onWasm, weightGradOnWasm } from './conv-wasm.js';

export { type ConvGeometry, convLimits } from './conv-chunks.js';

/**
 * The patch matrices of a whole batch, kept by conv2dForwardKeepingPatches for conv2dWeightGrad: chunk after chunk
 * (the chunk of output rows [r0, r1) at K * r0 * outW), cut `rowsPerChunk` output rows at a time.
 */
export interface KeptPatches {
  readonly data: TypedArray;
  readonly rowsPerChunk: number;
}

/**
 * The output positions ow in [lo, hi) whose input column ow * stride + offset lies inside [0, width): the rest
 * read padding. Computed once per kernel column, so the inner loops carry no bounds test.
 */
function validRange(offset: number, stride: number, width: number, outW: number): [number, number] {
  const lo = offset >= 0 ? 0 : Math.ceil(-offset / stride);
  const hi = offset > width - 1 ? 0 : Math.floor((width - 1 - offset) / stride) + 1;
  return [Math.min(lo, outW), Math.max(Math.min(hi, outW), Math.min(lo, outW))];
}

/**
 * Writes the patches of output rows [r0, r1) as col [K, (r1 - r0) * outW]; padding reads as 0. With `add`, the
 * reverse (col2im): adds each col entry into the input position it was read from (and leaves col clobbered).
 *
 * The copy runs per (channel, kernel offset, image): its output rows that read inside the input form one block.
 * When consecutive output rows read consecutive input rows end to end (stride 1 along the width and outW = width *
 * strideH, as with 'same' padding at stride 1), the block is one straight copy; the few entries it takes from the
 * neighbouring row's edge, where the patch reads padding, are then set to 0 (and for col2im zeroed in col before
 * the add, so nothing is added there). Otherwise the block is copied row by row. On the MNIST CNN's layers the
 * straight copy writes the patches 1.5-1.8x faster than a loop per output row (see docs/decisions.md).
 */
function patches(X: TypedArray, col: TypedArray, g: ConvGeometry, r0: number, r1: number, add: boolean): void {
  const { inChannels: C, height: H, width: W, kernelH: kh, kernelW: kw, outH, outW, strideH: sh, strideW: sw } = g;
  const cols = (r1 - r0) * outW;
  const flat = sw === 1 && sh * W === outW;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < kh; i++) {
      const rowOffset = i * g.dilationH - g.padTop;
      // The output rows oh in [rowLo, rowHi) read input rows inside [0, H).
      const [rowLo, rowHi] = validRange(rowOffset, sh, H, outH);
      for (let j = 0; j < kw; j++) {
        const colOffset = j * g.dilationW - g.padLeft;
        const [lo, hi] = validRange(colOffset, sw, W, outW);
        const base = ((c * kh + i) * kw + j) * cols;
        for (let r = r0; r < r1;) {
          const b = (r / outH) | 0;
          const end = Math.min(r1, (b + 1) * outH);
          const oh0 = r - b * outH;
          const oh1 = end - b * outH;
          const dst = base + (r - r0) * outW;
          const v0 = Math.min(Math.max(rowLo, oh0), oh1);
          const v1 = Math.max(Math.min(rowHi, oh1), v0);
          if (!add) {
            zero(col, dst, dst + (v0 - oh0) * outW);
            zero(col, dst + (v1 - oh0) * outW, dst + (oh1 - oh0) * outW);
          }
          const rows = v1 - v0;
          const d0 = dst + (v0 - oh0) * outW;
          const s0 = ((b * C + c) * H + v0 * sh + rowOffset) * W + colOffset;
          if (lo >= hi) {
            if (!add) zero(col, d0, d0 + rows * outW);
          } else if (rows > 0) {
            if (!add) {
              zero(col, d0, d0 + lo);
              if (flat) copyFlat(X, s0, col, d0, rows, outW, lo, hi);
              else copyRows(X, s0, W * sh, sw, col, d0, rows, outW, lo, hi);
            } else if (flat) addFlat(X, s0, col, d0, rows, outW, lo, hi);
            else addRows(X, s0, W * sh, sw, col, d0, rows, outW, lo, hi);
          }
          r = end;
        }
      }
    }
  }
}

/** col[from, to) = 0, inline (TypedArray.fill costs more than the loop on the few entries of a padding edge). */
function zero(col: TypedArray, from: number, to: number): void {
  for (let t = from; t < to; t++) col[t] = 0;
}

/**
 * `rows` output rows of width outW, each reading X at s0 + (row * outW + ow) for ow in [lo, hi) (consecutive rows read
 * consecutive stretches): one straight copy from (first row, lo) to (last row, hi), then the edges (ow outside
 * [lo, hi), which the copy filled from the next or previous input row) set to 0. The first row's [0, lo) is
 * the caller's.
 */
function copyFlat(X: TypedArray, s0: number, col: TypedArray, d0: number, rows: number, outW: number, lo: number, hi: number): void {
  const last = (rows - 1) * outW + hi;
  // One memory copy (X and col share a dtype): several times faster than an element loop on these long stretches.
  col.set(X.subarray(s0 + lo, s0 + last), d0 + lo);
  if (lo === 0 && hi === outW) return;
  for (let row = 0, at = d0; row < rows; row++, at += outW) {
    if (row > 0) zero(col, at, at + lo);
    zero(col, at + hi, at + outW);
  }
}

/** The general case of copyFlat: each row read at s0 + row * rowStride + ow * sw. */
function copyRows(
  X: TypedArray,
  s0: number,
  rowStride: number,
  sw: number,
  col: TypedArray,
  d0: number,
  rows: number,
  outW: number,
  lo: number,
  hi: number,
): void {
  for (let row = 0, at = d0, src = s0; row < rows; row++, at += outW, src += rowStride) {
    if (row > 0) zero(col, at, at + lo);
    for (let ow = lo, s = src + lo * sw; ow < hi; ow++, s += sw) col[at + ow] = X[s];
    zero(col, at + hi, at + outW);
  }
}

/** col2im of copyFlat's block: the edge entries of col (gradients of padding) zeroed, then one straight add. */
function addFlat(X: TypedArray, s0: number, col: TypedArray, d0: number, rows: number, outW: number, lo: number, hi: number): void {
  if (lo > 0 || hi < outW)
    for (let row = 0, at = d0; row < rows; row++, at += outW) {
      if (row > 0) zero(col, at, at + lo);
      if (row < rows - 1) zero(col, at + hi, at + outW);
    }
  const last = (rows - 1) * outW + hi;
  for (let t = lo; t < last; t++) X[s0 + t] += col[d0 + t];
}

/** col2im of copyRows' block. */
function addRows(
  X: TypedArray,
  s0: number,
  rowStride: number,
  sw: number,
  col: TypedArray,
  d0: number,
  rows: number,
  outW: number,
  lo: number,
  hi: number,
): void {
  for (let row = 0, at = d0, src = s0; row < rows; row++, at += outW, src += rowStride)
    for (let ow = lo, s = src + lo * sw; ow < hi; ow++, s += sw) X[s] += col[at + ow];
}

/**
 * Y = conv2d(X, W) (+ bias[o] on channel o when `bias`, an [O] array on the CPU, is given): [batch, O, outH, outW].
 * X, W and the bias share a float dtype.
 */
export function conv2dForward(x: NDArray, w: NDArray, g: ConvGeometry, bias: NDArray | null = null): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'conv2d').conv2d('forward', x, w, g);
  const out = allocate(x.dtype, g.batch * g.outChannels * g.outH * g.outW);
  const b = bias?.data ?? null;
  if (!forwardOnWasm(x, w, g, b, out))
    forChunks(g, (r0, r1) => {
      const col = buffer(x.dtype, 'col', patchCount(g, r0, r1));
      patches(x.data, col, g, r0, r1, false);
      productChunk(w, g, r0, r1, col, out, b);
    });
  return new NDArray(out, [g.batch, g.outChannels, g.outH, g.outW]);
}

/**
 * conv2dForward that also returns the whole batch's patch matrices in a buffer of their own (KeptPatches), for
 * conv2dWeightGrad to read instead of building them again: null when they would exceed `convLimits.keptElements`,
 * or on a device.
 */
export function conv2dForwardKeepingPatches(
  x: NDArray,
  w: NDArray,
  g: ConvGeometry,
  bias: NDArray | null = null,
): { y: NDArray; patches: KeptPatches | null } {
  const total = g.batch * g.outH;
  // On the WebAssembly path the weight's gradient copies the patches again (in WebAssembly, where its product reads
  // them in place), which costs less than keeping them.
  if (x.device !== undefined || patchCount(g, 0, total) > convLimits.keptElements || onWasm(x.dtype, g))
    return { y: conv2dForward(x, w, g, bias), patches: null };
  const out = allocate(x.dtype, g.batch * g.outChannels * g.outH * g.outW);
  const data = allocate(x.dtype, patchCount(g, 0, total));
  const K = g.inChannels * g.kernelH * g.kernelW;
  forChunks(g, (r0, r1) => {
    const col = data.subarray(K * r0 * g.outW);
    patches(x.data, col, g, r0, r1, false);
    productChunk(w, g, r0, r1, col, out, bias?.data ?? null);
  });
  return { y: new NDArray(out, [g.batch, g.outChannels, g.outH, g.outW]), patches: { data, rowsPerChunk: rowsPerChunk(g) } };
}

/** dX = the adjoint of conv2d in X, applied to dY (a transposed convolution): [batch, C, height, width]. */
export function conv2dInputGrad(dy: NDArray, w: NDArray, g: ConvGeometry): NDArray {
  if (dy.device !== undefined) return deviceKernel(dy.device, 'conv2d').conv2d('inputGrad', dy, w, g);
  const { outChannels: O, groups } = g;
  const K = g.inChannels * g.kernelH * g.kernelW;
  const Kg = K / groups;
  const Og = O / groups;
  const dx = allocate(dy.dtype, g.batch * g.inChannels * g.height * g.width);
  if (inputGradOnWasm(dy, w, g, dx)) return new NDArray(dx, [g.batch, g.inChannels, g.height, g.width]);
  forChunks(g, (r0, r1) => {
    const cols = (r1 - r0) * g.outW;
    const col = buffer(dy.dtype, 'col', K * cols);
    const rows = buffer(dy.dtype, 'rows', O * cols);
    moveRows(dy.data, rows, g, r0, r1, true);
    col.fill(0, 0, K * cols);
    for (let p = 0; p < groups; p++) gemm(w.data, p * Og * Kg, rows, p * Og * cols, col, p * Kg * cols, Kg, cols, Og, true, false);
    patches(dx, col, g, r0, r1, true);
  });
  return new NDArray(dx, [g.batch, g.inChannels, g.height, g.width]);
}

/**
 * dW = the adjoint of conv2d in W, applied to dY: [O, C / groups, kernelH, kernelW]. `kept`, when given, is X's patch
 * matrices from conv2dForwardKeepingPatches (the same X and geometry), read instead of built again when they were cut
 * into the chunks this call cuts.
 */
export function conv2dWeightGrad(x: NDArray, dy: NDArray, g: ConvGeometry, kept: KeptPatches | null = null): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'conv2d').conv2d('weightGrad', x, dy, g);
  const { outChannels: O, groups } = g;
  const K = g.inChannels * g.kernelH * g.kernelW;
  const Kg = K / groups;
  const Og = O / groups;
  const dw = allocate(x.dtype, O * Kg);
  const shape = [O, g.inChannels / groups, g.kernelH, g.kernelW];
  if (kept === null && weightGradOnWasm(x, dy, g, dw)) return new NDArray(dw, shape);
  let first = true;
  forChunks(g, (r0, r1) => {
    const cols = (r1 - r0) * g.outW;
    const rows = buffer(x.dtype, 'rows', O * cols);
    let col: TypedArray;
    if (kept !== null && kept.rowsPerChunk === rowsPerChunk(g)) col = kept.data.subarray(K * r0 * g.outW);
    else {
      col = buffer(x.dtype, 'col', K * cols);
      patches(x.data, col, g, r0, r1, false);
    }
    moveRows(dy.data, rows, g, r0, r1, true);
    // The first chunk's products go straight into dW (zero on entry); later ones through a buffer, then added.
    const into = first ? dw : buffer(x.dtype, 'small', O * Kg);
    if (!first) into.fill(0, 0, O * Kg);
    for (let p = 0; p < groups; p++) gemmTransposedB(rows, p * Og * cols, col, p * Kg * cols, into, p * Og * Kg, Og, Kg, cols);
    if (!first) for (let i = 0; i < O * Kg; i++) dw[i] += into[i];
    first = false;
  });
  return new NDArray(dw, shape);
}

/** The bias's gradient: dY [batch, O, h, w] summed over all but the channel axis, each channel's sum in float64. */
export function channelSums(dy: NDArray): NDArray {
  const [batch, O] = dy.shape;
  const plane = dy.shape[2] * dy.shape[3];
  const D = dy.data;
  const sums = allocate(dy.dtype, O);
  for (let o = 0; o < O; o++) {
    let s = 0;
    for (let b = 0; b < batch; b++) for (let i = (b * O + o) * plane, end = i + plane; i < end; i++) s += D[i];
    sums[o] = s;
  }
  return new NDArray(sums, [O]);
}
