/**
 * The WebAssembly SIMD matrix product (source: packages/core/wasm/gemm.ts), with operands copied in and out, in its
 * SIMD128 build or its relaxed-SIMD build, whose multiply-adds are fused: one rounding per step instead of two, so
 * its results differ from the SIMD128 build's in the last bits (both within float32's dot-product error bound).
 */
import type { GemmArgs } from './gemm-executor.js';
import { align16, floatArrayKind, wasmKernels, wasmMemory, wasmRelaxedKernels } from './wasm-module.js';

/** True when the WebAssembly kernels loaded (they are loaded on the first call). */
export function wasmGemmAvailable(): boolean {
  return wasmKernels() !== null;
}

/** True when the host validates relaxed SIMD, so the fused multiply-add build of the product loaded. */
export function wasmRelaxedGemmAvailable(): boolean {
  return wasmRelaxedKernels() !== null;
}

/**
 * C[co..] = op(A) . op(B) ({@link GemmArgs}), when A, B and C are all float32 or all float64 and the module
 * (the relaxed-SIMD one when `relaxed`) is available; returns false (and does nothing) otherwise. Operands are copied
 * into the module's memory. C's range is overwritten: it need not be zero on entry.
 */
export function wasmGemm(relaxed: boolean, ...[A, ao, B, bo, C, co, m, n, k, tA, tB]: GemmArgs): boolean {
  const kernels = relaxed ? wasmRelaxedKernels() : wasmKernels();
  if (kernels === null) return false;
  const Kind = floatArrayKind(A, B, C);
  if (Kind === null) return false;
  // The module writes C's range on the first block of k; with none, C is zero.
  if (k === 0) {
    C.fill(0, co, co + m * n);
    return true;
  }
  const size = Kind.BYTES_PER_ELEMENT;
  const aAt = align16(kernels.heapBase());
  const bAt = align16(aAt + m * k * size);
  const cAt = align16(bAt + k * n * size);
  const paAt = align16(cAt + m * n * size);
  const pbAt = align16(paAt + kernels.packedABytes(size));
  const buffer = wasmMemory(kernels, pbAt + kernels.packedBBytes(size));
  new Kind(buffer, aAt, m * k).set(A.subarray(ao, ao + m * k));
  new Kind(buffer, bAt, k * n).set(B.subarray(bo, bo + k * n));
  (size === 4 ? kernels.gemmF32 : kernels.gemmF64)(aAt, bAt, cAt, m, n, k, tA, tB, paAt, pbAt);
  C.set(new Kind(buffer, cAt, m * n), co);
  return true;
}
