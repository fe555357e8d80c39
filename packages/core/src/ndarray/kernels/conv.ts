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
 * dtype, so a training loop allocates none.
 */
import { type DType, type TypedArray, allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import type { WindowGeometry } from './window.js';
import { gemm, gemmTransposedB } from './matmul.js';
import { deviceKernel } from '../device.js';
import { getGemmExecutor } from './backend/gemm-executor.js';
import { getKernelBackend } from './backend/kernel-backend.js';
import { type PatchArena, patchArena, wasmPatches } from './backend/wasm-patches.js';

/** Everything about one convolution's shapes: input [batch, inChannels, height, width], weight [outChannels, inChannels / groups, kernelH, kernelW]. */
export interface ConvGeometry extends WindowGeometry {
  /** Images in the batch. */
  readonly batch: number;
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Channel groups (each output channel sees inChannels / groups of the input's). */
  readonly groups: number;
}

/**
 * The largest patch buffer a kernel builds: 2^21 elements (16 MiB in float64, 8 MiB in float32). A field rather than
 * a constant so that tests can force many small chunks; `wasm` likewise lets them compare the WebAssembly path
 * (see onWasm) with the TypeScript one.
 */
export const convLimits = { colElements: 1 << 21, keptElements: 1 << 23, wasm: true };

/**
 * The patch matrices of a whole batch, kept by conv2dForwardKeepingPatches for conv2dWeightGrad: chunk after chunk
 * (the chunk of output rows [r0, r1) at K * r0 * outW), cut `rowsPerChunk` output rows at a time.
 */
export interface KeptPatches {
  readonly data: TypedArray;
  readonly rowsPerChunk: number;
}

interface Scratch {
  col: TypedArray;
  rows: TypedArray;
  small: TypedArray;
}
const scratchByDType = new Map<DType, Scratch>();

/** A reusable buffer of at least `size` elements of `dtype` (contents unspecified). */
function buffer(dtype: DType, which: keyof Scratch, size: number): TypedArray {
  let s = scratchByDType.get(dtype);
  if (s === undefined) {
    s = { col: allocate(dtype, 0), rows: allocate(dtype, 0), small: allocate(dtype, 0) };
    scratchByDType.set(dtype, s);
  }
  if (s[which].length < size) s[which] = allocate(dtype, size);
  return s[which];
}

/** How many output rows (image, oh) one chunk covers: as many as fit in COL_ELEMENTS, at least one. */
function rowsPerChunk(g: ConvGeometry): number {
  const k = (g.inChannels * g.kernelH * g.kernelW) | 0;
  return Math.max(1, Math.floor(convLimits.colElements / Math.max(1, k * g.outW)));
}

/** The output rows of the largest chunk: rowsPerChunk, or all of them when fewer. */
function chunkRows(g: ConvGeometry): number {
  return Math.min(rowsPerChunk(g), g.batch * g.outH);
}

/**
 * Whether a kernel takes the WebAssembly path: float32, one group, a WebAssembly backend (the default) and no parallel
 * executor (the products then run on the calling thread). The patch copies then run in WebAssembly (wasm/patches.ts),
 * into the convolution module's memory, where the weight gradient's dot products read them in place; the results are
 * the TypeScript path's, bit for bit, since the copies and the order of col2im's additions are the same.
 */
function onWasm(dtype: DType, g: ConvGeometry): boolean {
  return convLimits.wasm && dtype === 'float32' && g.groups === 1 && getKernelBackend() !== 'js' && getGemmExecutor() === null;
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
 * Moves output rows [r0, r1) between NCHW (Y [batch, O, outH, outW]) and the chunk's [O, cols] layout:
 * `toChunk` gathers Y into `rows`, otherwise `rows` is scattered into Y; the chunk's rows are `ld` apart. Each
 * (channel, image) stretch is contiguous on both sides.
 */
function moveRows(
  Y: TypedArray,
  rows: TypedArray,
  g: ConvGeometry,
  r0: number,
  r1: number,
  toChunk: boolean,
  ld = (r1 - r0) * g.outW,
): void {
  const { outChannels: O, outH, outW } = g;
  const plane = outH * outW;
  for (let r = r0; r < r1;) {
    const b = (r / outH) | 0;
    const end = Math.min(r1, (b + 1) * outH);
    const length = (end - r) * outW;
    for (let o = 0; o < O; o++) {
      const at = o * ld + (r - r0) * outW;
      const y = (b * O + o) * plane + (r - b * outH) * outW;
      if (toChunk) rows.set(Y.subarray(y, y + length), at);
      else Y.set(rows.subarray(at, at + length), y);
    }
    r = end;
  }
}

/** Calls `each(r0, r1)` over the chunks of output rows. */
function forChunks(g: ConvGeometry, each: (r0: number, r1: number) => void): void {
  const total = g.batch * g.outH;
  const step = rowsPerChunk(g);
  for (let r0 = 0; r0 < total; r0 += step) each(r0, Math.min(total, r0 + step));
}

/** Y = conv2d(X, W): [batch, O, outH, outW]. X and W share a float dtype. */
export function conv2dForward(x: NDArray, w: NDArray, g: ConvGeometry): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'conv2d').conv2d('forward', x, w, g);
  const out = allocate(x.dtype, g.batch * g.outChannels * g.outH * g.outW);
  const arena = onWasm(x.dtype, g) ? patchArena([x.data.length, patchCount(g, 0, chunkRows(g))]) : null;
  if (arena === null) forChunks(g, (r0, r1) => forwardChunk(x, w, g, r0, r1, buffer(x.dtype, 'col', patchCount(g, r0, r1)), out));
  else {
    arena.views[0].set(x.data);
    forChunks(g, (r0, r1) => {
      wasmPatches(arena, 0, 1, g, r0, r1, (r1 - r0) * g.outW, false);
      productChunk(w, g, r0, r1, arena.views[1], out);
    });
  }
  return new NDArray(out, [g.batch, g.outChannels, g.outH, g.outW]);
}

/**
 * conv2dForward that also returns the whole batch's patch matrices in a buffer of their own (KeptPatches), for
 * conv2dWeightGrad to read instead of building them again: null when they would exceed `convLimits.keptElements`,
 * or on a device.
 */
export function conv2dForwardKeepingPatches(x: NDArray, w: NDArray, g: ConvGeometry): { y: NDArray; patches: KeptPatches | null } {
  const total = g.batch * g.outH;
  // On the WebAssembly path the weight's gradient copies the patches again (in WebAssembly, where its product reads
  // them in place), which costs less than keeping them.
  if (x.device !== undefined || patchCount(g, 0, total) > convLimits.keptElements || onWasm(x.dtype, g))
    return { y: conv2dForward(x, w, g), patches: null };
  const out = allocate(x.dtype, g.batch * g.outChannels * g.outH * g.outW);
  const data = allocate(x.dtype, patchCount(g, 0, total));
  const K = g.inChannels * g.kernelH * g.kernelW;
  forChunks(g, (r0, r1) => forwardChunk(x, w, g, r0, r1, data.subarray(K * r0 * g.outW), out));
  return { y: new NDArray(out, [g.batch, g.outChannels, g.outH, g.outW]), patches: { data, rowsPerChunk: rowsPerChunk(g) } };
}

/** Entries of the patch matrix of output rows [r0, r1): K * cols. */
function patchCount(g: ConvGeometry, r0: number, r1: number): number {
  return g.inChannels * g.kernelH * g.kernelW * (r1 - r0) * g.outW;
}

/** Output rows [r0, r1) of Y into `out` (NCHW), the chunk's patches written into `col`. */
function forwardChunk(x: NDArray, w: NDArray, g: ConvGeometry, r0: number, r1: number, col: TypedArray, out: TypedArray): void {
  patches(x.data, col, g, r0, r1, false);
  productChunk(w, g, r0, r1, col, out);
}

/** Output rows [r0, r1) of Y into `out` (NCHW) from the chunk's patches `col`. */
function productChunk(w: NDArray, g: ConvGeometry, r0: number, r1: number, col: TypedArray, out: TypedArray): void {
  const { outChannels: O, groups } = g;
  const Kg = (g.inChannels * g.kernelH * g.kernelW) / groups;
  const Og = O / groups;
  const cols = (r1 - r0) * g.outW;
  const rows = buffer(w.dtype, 'rows', O * cols);
  rows.fill(0, 0, O * cols);
  for (let p = 0; p < groups; p++) gemm(w.data, p * Og * Kg, col, p * Kg * cols, rows, p * Og * cols, Og, cols, Kg, false, false);
  moveRows(out, rows, g, r0, r1, false);
}

/** dX = the adjoint of conv2d in X, applied to dY (a transposed convolution): [batch, C, height, width]. */
export function conv2dInputGrad(dy: NDArray, w: NDArray, g: ConvGeometry): NDArray {
  if (dy.device !== undefined) return deviceKernel(dy.device, 'conv2d').conv2d('inputGrad', dy, w, g);
  const { outChannels: O, groups } = g;
  const K = g.inChannels * g.kernelH * g.kernelW;
  const Kg = K / groups;
  const Og = O / groups;
  const dx = allocate(dy.dtype, g.batch * g.inChannels * g.height * g.width);
  const arena = onWasm(dy.dtype, g) ? patchArena([dx.length, patchCount(g, 0, chunkRows(g))]) : null;
  if (arena !== null) return inputGradOnWasm(arena, dy, w, g, dx);
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

/** conv2dInputGrad's WebAssembly path (see onWasm): dX summed in the arena, then copied into `dx`. */
function inputGradOnWasm(arena: PatchArena, dy: NDArray, w: NDArray, g: ConvGeometry, dx: TypedArray): NDArray {
  const [sum, col] = arena.views;
  const K = g.inChannels * g.kernelH * g.kernelW;
  sum.fill(0);
  forChunks(g, (r0, r1) => {
    const cols = (r1 - r0) * g.outW;
    const rows = buffer(dy.dtype, 'rows', g.outChannels * cols);
    moveRows(dy.data, rows, g, r0, r1, true);
    col.fill(0, 0, K * cols);
    gemm(w.data, 0, rows, 0, col, 0, K, cols, g.outChannels, true, false);
    wasmPatches(arena, 0, 1, g, r0, r1, cols, true);
  });
  dx.set(sum);
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
  const onArena = kept === null && onWasm(x.dtype, g) ? weightGradOnWasm(x, dy, g, dw) : null;
  if (onArena !== null) return onArena;
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
  return new NDArray(dw, [O, g.inChannels / groups, g.kernelH, g.kernelW]);
}

/**
 * conv2dWeightGrad's WebAssembly path (see onWasm): per chunk, the patches copied into the arena with rows padded to
 * whole vectors and to a multiple of 4 rows, dY's rows likewise, and the dot-product kernel run on them in place.
 * Null when the module is unavailable.
 */
function weightGradOnWasm(x: NDArray, dy: NDArray, g: ConvGeometry, dw: TypedArray): NDArray | null {
  const O = g.outChannels;
  const K = g.inChannels * g.kernelH * g.kernelW;
  const [K4, O2] = [Math.ceil(K / 4) * 4, O + (O & 1)];
  const widest = Math.ceil((chunkRows(g) * g.outW) / 4) * 4;
  const arena = patchArena([x.data.length, K4 * widest, O2 * widest, O2 * K4]);
  if (arena === null) return null;
  const [image, col, rows, product] = arena.views;
  image.set(x.data);
  let first = true;
  forChunks(g, (r0, r1) => {
    const ld = Math.ceil(((r1 - r0) * g.outW) / 4) * 4;
    wasmPatches(arena, 0, 1, g, r0, r1, ld, false);
    col.fill(0, K * ld, K4 * ld);
    rows.fill(0, 0, O2 * ld);
    moveRows(dy.data, rows, g, r0, r1, true, ld);
    arena.kernels.dotF32(arena.at[2], arena.at[1], arena.at[3], O2, K4, ld);
    // The first chunk's products are dW's values (as on the TypeScript path, a -0 stays -0); later ones are added.
    for (let o = 0; o < O; o++)
      for (let q = 0; q < K; q++) dw[o * K + q] = first ? product[o * K4 + q] : dw[o * K + q] + product[o * K4 + q];
    first = false;
  });
  return new NDArray(dw, [O, g.inChannels, g.kernelH, g.kernelW]);
}
