/**
 * What the convolution's kernels share (conv.ts, and conv-wasm.ts for its WebAssembly path): the geometry, the limits,
 * the scratch buffers, the cutting into chunks of output rows, and the moves between NCHW and a chunk's [O, cols]
 * rows around each chunk's product.
 */
import { type DType, type TypedArray, allocate } from '../dtype.js';
import type { WindowGeometry } from './window.js';
import { gemm } from './matmul.js';
import type { NDArray } from '../ndarray.js';

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

interface Scratch {
  col: TypedArray;
  rows: TypedArray;
  small: TypedArray;
}
const scratchByDType = new Map<DType, Scratch>();

/** A reusable buffer of at least `size` elements of `dtype` (contents unspecified). */
export function buffer(dtype: DType, which: keyof Scratch, size: number): TypedArray {
  let s = scratchByDType.get(dtype);
  if (s === undefined) {
    s = { col: allocate(dtype, 0), rows: allocate(dtype, 0), small: allocate(dtype, 0) };
    scratchByDType.set(dtype, s);
  }
  if (s[which].length < size) s[which] = allocate(dtype, size);
  return s[which];
}

/** How many output rows (image, oh) one chunk covers: as many as fit in COL_ELEMENTS, at least one. */
export function rowsPerChunk(g: ConvGeometry): number {
  const k = (g.inChannels * g.kernelH * g.kernelW) | 0;
  return Math.max(1, Math.floor(convLimits.colElements / Math.max(1, k * g.outW)));
}

/** The output rows of the largest chunk: rowsPerChunk, or all of them when fewer. */
export function chunkRows(g: ConvGeometry): number {
  return Math.min(rowsPerChunk(g), g.batch * g.outH);
}

/** Entries of the patch matrix of output rows [r0, r1): K * cols. */
export function patchCount(g: ConvGeometry, r0: number, r1: number): number {
  return g.inChannels * g.kernelH * g.kernelW * (r1 - r0) * g.outW;
}

/**
 * Moves output rows [r0, r1) between NCHW (Y [batch, O, outH, outW]) and the chunk's [O, cols] layout:
 * `toChunk` gathers Y into `rows`, otherwise `rows` is scattered into Y, plus `bias[o]` on channel o when given (the
 * bias added in the pass that writes Y); the chunk's rows are `ld` apart. Each (channel, image) stretch is contiguous
 * on both sides.
 */
export function moveRows(
  Y: TypedArray,
  rows: TypedArray,
  g: ConvGeometry,
  r0: number,
  r1: number,
  toChunk: boolean,
  ld = (r1 - r0) * g.outW,
  bias: TypedArray | null = null,
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
      else if (bias === null) Y.set(rows.subarray(at, at + length), y);
      else for (let t = 0, v = bias[o]; t < length; t++) Y[y + t] = rows[at + t] + v;
    }
    r = end;
  }
}

/** Calls `each(r0, r1)` over the chunks of output rows. */
export function forChunks(g: ConvGeometry, each: (r0: number, r1: number) => void): void {
  const total = g.batch * g.outH;
  const step = rowsPerChunk(g);
  for (let r0 = 0; r0 < total; r0 += step) each(r0, Math.min(total, r0 + step));
}

/** Output rows [r0, r1) of Y (plus the bias) into `out` (NCHW) from the chunk's patches `col`. */
export function productChunk(
  w: NDArray,
  g: ConvGeometry,
  r0: number,
  r1: number,
  col: TypedArray,
  out: TypedArray,
  bias: TypedArray | null,
): void {
  const { outChannels: O, groups } = g;
  const Kg = (g.inChannels * g.kernelH * g.kernelW) / groups;
  const Og = O / groups;
  const cols = (r1 - r0) * g.outW;
  const rows = buffer(w.dtype, 'rows', O * cols);
  rows.fill(0, 0, O * cols);
  for (let p = 0; p < groups; p++) gemm(w.data, p * Og * Kg, col, p * Kg * cols, rows, p * Og * cols, Og, cols, Kg, false, false);
  moveRows(out, rows, g, r0, r1, false, cols, bias);
}
