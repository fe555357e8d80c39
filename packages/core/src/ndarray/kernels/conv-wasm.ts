/**
 * The convolution's WebAssembly path (float32, one group, a WebAssembly backend; see onWasm):
 * the patch copies of wasm/patches.ts into the convolution module's memory, where the weight gradient's dot products
 * (wasm/dot.ts) read them in place. The same chunks, products and results as conv.ts's TypeScript path, bit for bit
 * (conv-wasm.test.ts); contained here, so that conv.ts reads as the reference.
 */
import type { DType, TypedArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { getKernelBackend } from './backend/kernel-backend.js';
import { patchArena, wasmPatches } from './backend/wasm-patches.js';
import { type ConvGeometry, buffer, chunkRows, convLimits, forChunks, moveRows, patchCount, productChunk } from './conv-chunks.js';
import { gemm } from './matmul.js';

/**
 * Whether a kernel takes the WebAssembly path: float32, one group and a WebAssembly backend (the default). The patch
 * copies then run in WebAssembly (wasm/patches.ts), into the convolution module's memory, where the weight gradient's
 * dot products read them in place (the forward's and dX's products still go through `gemm`, to a parallel executor
 * when one is installed); the results are the TypeScript path's, bit for bit, since the copies, the products and the
 * order of col2im's additions are the same.
 */
export function onWasm(dtype: DType, g: ConvGeometry): boolean {
  return convLimits.wasm && dtype === 'float32' && g.groups === 1 && getKernelBackend() !== 'js';
}

/** conv2dForward's WebAssembly path: Y (plus the bias) into `out`, or false (nothing written) when it does not apply. */
export function forwardOnWasm(x: NDArray, w: NDArray, g: ConvGeometry, bias: TypedArray | null, out: TypedArray): boolean {
  const arena = onWasm(x.dtype, g) ? patchArena([x.data.length, patchCount(g, 0, chunkRows(g))]) : null;
  if (arena === null) return false;
  arena.views[0].set(x.data);
  forChunks(g, (r0, r1) => {
    wasmPatches(arena, 0, 1, g, r0, r1, (r1 - r0) * g.outW, false);
    productChunk(w, g, r0, r1, arena.views[1], out, bias);
  });
  return true;
}

/** conv2dInputGrad's WebAssembly path: dX summed in the arena, then copied into `dx`; or false (nothing written). */
export function inputGradOnWasm(dy: NDArray, w: NDArray, g: ConvGeometry, dx: TypedArray): boolean {
  const arena = onWasm(dy.dtype, g) ? patchArena([dx.length, patchCount(g, 0, chunkRows(g))]) : null;
  if (arena === null) return false;
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
  return true;
}

/**
 * conv2dWeightGrad's WebAssembly path: per chunk, the patches copied into the arena with rows padded to whole vectors
 * and to a multiple of 4 rows, dY's rows likewise, and the dot-product kernel run on them in place; dW into `dw`, or
 * false (nothing written) when the path does not apply.
 */
export function weightGradOnWasm(x: NDArray, dy: NDArray, g: ConvGeometry, dw: TypedArray): boolean {
  const O = g.outChannels;
  const K = g.inChannels * g.kernelH * g.kernelW;
  const [K4, O2] = [Math.ceil(K / 4) * 4, O + (O & 1)];
  const widest = Math.ceil((chunkRows(g) * g.outW) / 4) * 4;
  const arena = onWasm(x.dtype, g) ? patchArena([x.data.length, K4 * widest, O2 * widest, O2 * K4]) : null;
  if (arena === null) return false;
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
  return true;
}
