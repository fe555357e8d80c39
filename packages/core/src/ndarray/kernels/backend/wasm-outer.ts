/** The outer product by the WebAssembly SIMD kernel (source: packages/core/wasm/outer.ts), copied in and out. */
import type { TypedArray } from '../../dtype.js';
import { align16, wasmMemory, wasmOuterKernels } from './wasm-module.js';

/**
 * Bytes of C computed per call of the kernel, then copied out: a block this size stays in the L2 cache between the
 * kernel's stores and the copy's loads. Measured for 128 products of [784] x [256] (CPU time into warm memory, load
 * 12): 32 KB blocks 4.0 ms in float32 and 8.6 in float64, 256 KB 3.8 and 8.6, 1 MB 3.6 and 8.9, 8 KB 4.8 and 10.9.
 */
const BLOCK_BYTES = 256 * 1024;

/**
 * C[co..co + m n] = a b^T with a = A[ao..ao + m] and b = B[bo..bo + n], when A, B and C are all float32 or all
 * float64 and the module is available; returns false (and writes nothing) otherwise. C's range is overwritten.
 */
export function wasmOuter(A: TypedArray, ao: number, B: TypedArray, bo: number, C: TypedArray, co: number, m: number, n: number): boolean {
  const kernels = wasmOuterKernels();
  if (kernels === null) return false;
  const Kind = A instanceof Float32Array ? Float32Array : A instanceof Float64Array ? Float64Array : null;
  if (Kind === null || !(B instanceof Kind) || !(C instanceof Kind)) return false;
  const size = Kind.BYTES_PER_ELEMENT;
  const rows = Math.min(m, Math.max(1, Math.floor(BLOCK_BYTES / (n * size))));
  const aAt = align16(kernels.heapBase());
  const bAt = align16(aAt + m * size);
  const cAt = align16(bAt + n * size);
  const buffer = wasmMemory(kernels, cAt + rows * n * size);
  new Kind(buffer, aAt, m).set(A.subarray(ao, ao + m));
  new Kind(buffer, bAt, n).set(B.subarray(bo, bo + n));
  const block = new Kind(buffer, cAt, rows * n);
  const outer = size === 4 ? kernels.outerF32 : kernels.outerF64;
  for (let i = 0; i < m; i += rows) {
    const r = Math.min(rows, m - i);
    outer(aAt + i * size, bAt, cAt, r, n);
    C.set(r === rows ? block : block.subarray(0, r * n), co + i * n);
  }
  return true;
}
