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

/** Bytes of x and of y per call: both blocks stay in the L2 cache, so each block's copy back out reads the cache. */
const BLOCK_BYTES = 64 * 1024;

/** Runs x += alpha * y (same length, both float32 or both float64); false, with nothing changed, when it cannot. */
export function wasmAxpy(x: TypedArray, y: TypedArray, alpha: number): boolean {
  const kernels = wasmUpdateKernels();
  const Kind = floatArrayKind(x, y);
  if (kernels === null || Kind === null) return false;
  const n = x.length & ~1;
  // Blocks of an even length (the float32 kernel takes pairs); whole-array copies were about 12% slower on 784 x 256.
  const block = Math.min(n, BLOCK_BYTES / Kind.BYTES_PER_ELEMENT);
  const xAt = align16(kernels.heapBase());
  const yAt = xAt + BLOCK_BYTES;
  const buffer = wasmMemory(kernels, yAt + BLOCK_BYTES);
  const X = new Kind(buffer, xAt, block);
  const Y = new Kind(buffer, yAt, block);
  const axpy = Kind === Float32Array ? kernels.axpyF32 : kernels.axpyF64;
  for (let i = 0; i < n; i += block) {
    const m = Math.min(block, n - i);
    X.set(x.subarray(i, i + m));
    Y.set(y.subarray(i, i + m));
    axpy(xAt, yAt, m, alpha);
    x.set(m === block ? X : X.subarray(0, m), i);
  }
  if (n < x.length) x[n] += alpha * y[n];
  return true;
}
