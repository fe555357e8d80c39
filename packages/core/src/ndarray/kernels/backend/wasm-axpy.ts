/**
 * x += alpha * y in place by the WebAssembly SIMD kernel (source: packages/core/wasm/axpy.ts), copied in and out: the
 * bits of the TypeScript loop, about 2.3x faster on a 784 x 256 float32 parameter even with the copies (0.098 against
 * 0.227 ms; docs/decisions.md, "Session 6").
 */
import type { TypedArray } from '../../dtype.js';
import { installedInPlace, wasmChosen } from './kernel-backend.js';
import { align16, floatArrayKind, wasmMemory, wasmUpdateKernels } from './wasm-module.js';

/** Below this many elements ('auto'), copying into WebAssembly memory costs more than the SIMD loop saves. */
const AUTO_MIN = 4096;

/**
 * x += alpha * y (same length) through the fastest kernel that gives the TypeScript loop's bits: an installed kernel
 * set's (native), else the WebAssembly one under the 'wasm' backends (and 'auto' from AUTO_MIN elements), else the loop.
 */
export function addScaledInPlace(x: TypedArray, y: TypedArray, alpha: number): void {
  if (installedInPlace('addInPlace', x, y, alpha)) return;
  if (wasmChosen(x.length, AUTO_MIN) && wasmAxpy(x, y, alpha)) return;
  for (let i = 0; i < x.length; i++) x[i] += alpha * y[i];
}

/** Runs x += alpha * y (same length, both float32 or both float64); false, with nothing changed, when it cannot. */
export function wasmAxpy(x: TypedArray, y: TypedArray, alpha: number): boolean {
  const kernels = wasmUpdateKernels();
  const Kind = floatArrayKind(x, y);
  if (kernels === null || Kind === null) return false;
  const n = x.length & ~1;
  const xAt = align16(kernels.heapBase());
  const yAt = align16(xAt + Kind.BYTES_PER_ELEMENT * n);
  const buffer = wasmMemory(kernels, yAt + Kind.BYTES_PER_ELEMENT * n);
  const X = new Kind(buffer, xAt, n);
  X.set(x.subarray(0, n));
  new Kind(buffer, yAt, n).set(y.subarray(0, n));
  (Kind === Float32Array ? kernels.axpyF32 : kernels.axpyF64)(xAt, yAt, n, alpha);
  x.set(X);
  if (n < x.length) x[n] += alpha * y[n];
  return true;
}
