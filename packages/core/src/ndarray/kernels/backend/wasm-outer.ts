/**
 * The outer product by the WebAssembly SIMD kernel (source: packages/core/wasm/outer.ts): into an output that lives
 * in a WebAssembly memory of its own (`wasmOuterOutput`) in place, else computed in the module's memory a block at a
 * time and copied out.
 */
import { type DType, type TypedArray, recycling } from '../../dtype.js';
import { type WasmOuterKernels, align16, fixedWasmMemory, floatArrayKind, wasmMemory, wasmOuterKernels } from './wasm-module.js';

/**
 * Bytes of C computed per call of the kernel, then copied out: a block this size stays in the L2 cache between the
 * kernel's stores and the copy's loads. Measured for 128 products of [784] x [256] (CPU time into warm memory, load
 * 12): 32 KB blocks 4.0 ms in float32 and 8.6 in float64, 256 KB 3.8 and 8.6, 1 MB 3.6 and 8.9, 8 KB 4.8 and 10.9.
 */
const BLOCK_BYTES = 256 * 1024;

/**
 * @internal Outputs of at least `minBytes` get a memory of their own (`wasmOuterOutput`), and under vmap's
 * `reuseOutputs` those of `minReused` elements. Fresh memory of 32 MB is mapped and faulted in page by
 * page whatever holds it (glibc maps anything that large afresh), so a WebAssembly memory costs no more; below it, the
 * C allocator reuses memory, and a product's copy out costs less than faulting in a new memory (except memory reused
 * call after call: measured on the MNIST MLP's reusing per-sample gradients, CPU time a call at load 10, in place
 * from 32 MB 7.44 ms float32 and 14.9 float64, from 65,536 elements 7.26 and 13.5, never 9.59 and 18.6).
 */
export const outerInPlace = { minBytes: 32 * 2 ** 20, minReused: 1 << 16 };

/** Each output memory's buffer, with the kernel's instance bound to that memory. */
const inPlace = new WeakMap<ArrayBufferLike, WasmOuterKernels>();

/**
 * A new array of `size` elements for outer products of [m] by [n] (a batch of them), in a WebAssembly memory of its
 * own that never grows, with room for one a and one b after it: the kernel then writes each product straight into
 * it, where a copy out of the module's memory costs as much as the kernel (measured: 128 products [784] x [256] into
 * warm memory, 3.1 ms in place against 4.9 ms by blocks, float32; 6.5 against 9.8 in float64). Null below
 * `outerInPlace.minBytes`, for int32, or when the host cannot make the memory (the caller makes a plain array).
 */
export function wasmOuterOutput(dtype: DType, size: number, m: number, n: number): TypedArray | null {
  const Kind = dtype === 'float32' ? Float32Array : dtype === 'float64' ? Float64Array : null;
  const shared = wasmOuterKernels();
  if (Kind === null || shared === null) return null;
  // Under vmap's reuseOutputs, an output's memory is written again call after call.
  if (recycling.made !== null ? size < outerInPlace.minReused : size * Kind.BYTES_PER_ELEMENT < outerInPlace.minBytes) return null;
  const at = align16(shared.heapBase());
  const pages = Math.ceil((scratchAt(at + size * Kind.BYTES_PER_ELEMENT, m, Kind.BYTES_PER_ELEMENT) + n * Kind.BYTES_PER_ELEMENT) / 65536);
  const memory = pages <= 65536 ? fixedWasmMemory(pages) : null;
  const kernels = memory && wasmOuterKernels(memory);
  if (!kernels) return null;
  inPlace.set(memory.buffer, kernels);
  return new Kind(memory.buffer, at, size);
}

/** Where b goes in an output's memory: after a (of m elements at `size` bytes), which follows C's end at byte `end`. */
const scratchAt = (end: number, m: number, size: number): number => align16(align16(end) + m * size);

/**
 * C[co..co + m n] = a b^T with a = A[ao..ao + m] and b = B[bo..bo + n], when A, B and C are all float32 or all
 * float64 and the module is available; returns false (and writes nothing) otherwise. C's range is overwritten.
 */
export function wasmOuter(A: TypedArray, ao: number, B: TypedArray, bo: number, C: TypedArray, co: number, m: number, n: number): boolean {
  const kernels = wasmOuterKernels();
  if (kernels === null) return false;
  const Kind = floatArrayKind(A, B, C);
  if (Kind === null) return false;
  const size = Kind.BYTES_PER_ELEMENT;
  const own = inPlace.get(C.buffer);
  // In place, when C's memory has the kernel bound to it and room after C for a and b (pooled memory of C's length
  // may have been made for other operands).
  const bOwn = scratchAt(C.byteOffset + C.byteLength, m, size);
  if (own && bOwn + n * size <= C.buffer.byteLength) {
    const aOwn = align16(C.byteOffset + C.byteLength);
    new Kind(own.memory.buffer, aOwn, m).set(A.subarray(ao, ao + m));
    new Kind(own.memory.buffer, bOwn, n).set(B.subarray(bo, bo + n));
    (size === 4 ? own.outerF32 : own.outerF64)(aOwn, bOwn, C.byteOffset + co * size, m, n);
    return true;
  }
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
