/** float32 tanh by the WebAssembly SIMD kernel (source: packages/core/wasm/tanh.ts), copied in and out. */
import { align16, wasmKernels, wasmMemory } from './wasm-module.js';

/**
 * Writes tanh of X into O for the first `X.length & ~1` elements (the kernel works in pairs), bit for bit what the
 * TypeScript kernel writes, except at values with |x| >= `limit` or NaN, which the caller must redo with
 * Math.tanh. Returns how many pairs held such a value (0: nothing to redo), or -1 when the module is unavailable
 * (nothing written).
 */
export function wasmTanhF32(X: Float32Array, O: Float32Array): number {
  const kernels = wasmKernels();
  if (kernels === null) return -1;
  const n = X.length & ~1;
  const xAt = align16(kernels.heapBase());
  const oAt = align16(xAt + 4 * n);
  const buffer = wasmMemory(kernels, oAt + 4 * n);
  new Float32Array(buffer, xAt, n).set(X.subarray(0, n));
  const outside = kernels.tanhF32(xAt, oAt, n);
  O.set(new Float32Array(buffer, oAt, n));
  return outside;
}
