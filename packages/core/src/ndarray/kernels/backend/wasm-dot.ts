/**
 * The long-inner-size matrix product C = A B^T in float32 by the WebAssembly SIMD kernel (source:
 * packages/core/wasm/dot.ts), each element of C a dot product of a row of A and a row of B. The operands are copied
 * in as the kernel takes them: rows padded with zeros to whole vectors, and zero rows added up to its tile of 2 x 4;
 * C is copied out.
 */
import type { TypedArray } from '../../dtype.js';
import { align16, wasmDotKernels, wasmMemory } from './wasm-module.js';

/** The operands of C = A . B^T, A [m, k] and B [n, k] row-major from their offsets, C [m, n] from co. */
export type DotArgs = [A: TypedArray, ao: number, B: TypedArray, bo: number, C: TypedArray, co: number, m: number, n: number, k: number];

/**
 * C[co..co + m n] = A B^T with A = A[ao..ao + m k] read [m, k] and B = B[bo..bo + n k] read [n, k], row-major, when A,
 * B and C are all float32 and the module is available; returns false (and writes nothing) otherwise. C's range is
 * overwritten.
 */
export function wasmDot(...[A, ao, B, bo, C, co, m, n, k]: DotArgs): boolean {
  const kernels = wasmDotKernels();
  if (kernels === null || !(A instanceof Float32Array) || !(B instanceof Float32Array) || !(C instanceof Float32Array)) return false;
  const kp = Math.ceil(k / 4) * 4;
  const mp = m + (m & 1);
  const np = Math.ceil(n / 4) * 4;
  const aAt = align16(kernels.heapBase());
  const bAt = aAt + mp * kp * 4;
  const cAt = bAt + np * kp * 4;
  const buffer = wasmMemory(kernels, cAt + mp * np * 4);
  rowsIn(new Float32Array(buffer, aAt, mp * kp), A, ao, m, k, kp);
  rowsIn(new Float32Array(buffer, bAt, np * kp), B, bo, n, k, kp);
  kernels.dotF32(aAt, bAt, cAt, mp, np, kp);
  const out = new Float32Array(buffer, cAt, mp * np);
  if (np === n) C.set(out.subarray(0, m * n), co);
  else for (let i = 0; i < m; i++) C.set(out.subarray(i * np, i * np + n), co + i * n);
  return true;
}

/** Copies `rows` rows of length k from src[from..] into dst with row stride kp; the rest of dst (padding) is zeroed. */
function rowsIn(dst: Float32Array, src: Float32Array, from: number, rows: number, k: number, kp: number): void {
  if (kp === k) dst.set(src.subarray(from, from + rows * k));
  else
    for (let r = 0; r < rows; r++) {
      dst.set(src.subarray(from + r * k, from + r * k + k), r * kp);
      dst.fill(0, r * kp + k, r * kp + kp);
    }
  dst.fill(0, rows * kp);
}
