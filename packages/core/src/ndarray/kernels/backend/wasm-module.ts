/**
 * The WebAssembly SIMD kernels (sources: packages/core/wasm/, embedded by wasm/build.mjs): the matrix
 * product's module (wasm/gemm.ts), the outer product's (wasm/outer.ts), the elementwise module (wasm/elementwise.ts
 * and tanh.ts: everything a tensor's elementwise op may run, kept apart from the products so that a bundle of the
 * Scalar API carries only it), the convolution's module (wasm/dot.ts, patches.ts), the in-place update module
 * (wasm/axpy.ts: gradient accumulation) and the relaxed-SIMD build
 * of the matrix product (fused multiply-adds). Each is loaded lazily and synchronously on first use; a host that does not validate one (no
 * WebAssembly, no SIMD, no relaxed SIMD) has it reported unavailable, and the callers fall back.
 */
import {
  WASM_DOT_HEX,
  WASM_ELEMENTWISE_HEX,
  WASM_KERNELS_HEX,
  WASM_OUTER_HEX,
  WASM_RELAXED_GEMM_HEX,
  WASM_UPDATE_HEX,
} from './wasm-kernels.generated.js';

/** A WebAssembly gemm export: C = op(A) op(B), every array a byte address into the module's memory. */
type WasmGemm = (
  a: number,
  b: number,
  c: number,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
  pa: number,
  pb: number,
) => void;

/** A module's memory and where its static data ends: what a caller needs to lay its buffers out. */
export interface WasmHeap {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
}

/** A WebAssembly memory: its current buffer (replaced, the old one detached, when it grows). */
export type WasmMemoryObject = WasmHeap['memory'];

/** A module's matrix product (byte addresses into its memory for every array argument). */
export interface WasmGemmKernels extends WasmHeap {
  packedABytes(size: number): number;
  packedBBytes(size: number): number;
  readonly gemmF32: WasmGemm;
  readonly gemmF64: WasmGemm;
}

/** The SIMD module: the matrix product. */
export type WasmKernels = WasmGemmKernels;

/** The outer-product module: C = a b^T, each array a byte address into its memory. */
export interface WasmOuterKernels extends WasmHeap {
  readonly outerF32: (a: number, b: number, c: number, m: number, n: number) => void;
  readonly outerF64: (a: number, b: number, c: number, m: number, n: number) => void;
}

/** A map of the elementwise module: o = op(a, b) over n elements, sa / sb 0 for a broadcast one-element operand. */
type WasmMap = (op: number, a: number, b: number, o: number, n: number, sa: number, sb: number) => void;
/** The map over rows of the elementwise module: `rows` maps of `len` elements, a, b and o each moving on by its step (bytes). */
type WasmMapRows = (
  op: number,
  a: number,
  b: number,
  o: number,
  rows: number,
  len: number,
  stepA: number,
  stepB: number,
  stepO: number,
) => void;
/** A running sum of the elementwise module: x (times y when y is not 0) into four float64 sums at acc. */
type WasmSum = (x: number, y: number, n: number, acc: number) => void;

/**
 * The elementwise module: binary maps, sums (wasm/elementwise.ts) and float32 tanh (wasm/tanh.ts), each array a byte
 * address into its memory.
 */
export interface WasmElementwiseKernels extends WasmHeap {
  tanhF32(x: number, o: number, n: number): number;
  readonly mapF32: WasmMap;
  readonly mapF64: WasmMap;
  readonly mapRowsF32: WasmMapRows;
  readonly mapRowsF64: WasmMapRows;
  readonly sumF32: WasmSum;
  readonly sumF64: WasmSum;
}

/**
 * The convolution's module (wasm/dot.ts and patches.ts): C = A B^T as dot products of rows, im2col and col2im, in float32; each array a byte address into its memory.
 */
export interface WasmDotKernels extends WasmHeap {
  readonly dotF32: (a: number, b: number, c: number, m: number, n: number, k: number) => void;
  readonly im2colF32: (x: number, col: number, geometry: number) => void;
  readonly col2imF32: (x: number, col: number, geometry: number) => void;
}

/** The in-place update module: x += alpha * y, each array a byte address into its memory (an even `n` for float32). */
export interface WasmUpdateKernels extends WasmHeap {
  readonly axpyF32: (x: number, y: number, n: number, alpha: number) => void;
  readonly axpyF64: (x: number, y: number, n: number, alpha: number) => void;
}

// The few WebAssembly members used, typed here so the core needs neither DOM nor Node type libraries.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemoryObject;
}

let outerModule: object | null | undefined;
let loadedOuter: WasmOuterKernels | null | undefined;

function decodeHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

const webAssembly = (): WebAssemblyApi | undefined => (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

function compile(hex: string): object | null {
  const api = webAssembly();
  try {
    // Synchronous compilation: each module is under 4 KB, the limit browsers impose on the main thread.
    return api ? new api.Module(decodeHex(hex)) : null;
  } catch {
    // Validation fails (no SIMD, or no relaxed SIMD) or WebAssembly is disabled: the caller falls back.
    return null;
  }
}

function instantiate<T>(module: object | null, imports: object): T | null {
  try {
    return module && (new (webAssembly()!.Instance)(module, imports).exports as T);
  } catch {
    return null;
  }
}

const load = <T>(hex: string): T | null => instantiate<T>(compile(hex), {});

// The modules loaded so far, by their hex (null: this host cannot run that one).
const loadedModules = new Map<string, unknown>();

/** A module's exports, loaded on the first call (null when this host cannot run it), the same object after. */
export function loadedOnce<T>(hex: string): T | null {
  if (!loadedModules.has(hex)) loadedModules.set(hex, load<T>(hex));
  return loadedModules.get(hex) as T | null;
}

/** The SIMD module, or null when this host cannot run it (loaded on the first call). */
export function wasmKernels(): WasmKernels | null {
  return loadedOnce<WasmKernels>(WASM_KERNELS_HEX);
}

/** The relaxed-SIMD matrix product, or null when this host does not validate relaxed SIMD (loaded on the first call). */
export function wasmRelaxedKernels(): WasmGemmKernels | null {
  return loadedOnce<WasmGemmKernels>(WASM_RELAXED_GEMM_HEX);
}

/**
 * The outer-product module on a memory of its own (the module imports its memory), or null when this host cannot run
 * it (loaded on the first call). With `memory`, a new instance bound to that memory (or null).
 */
export function wasmOuterKernels(memory?: WasmMemoryObject): WasmOuterKernels | null {
  if (outerModule === undefined) outerModule = compile(WASM_OUTER_HEX);
  if (memory) return instantiate<WasmOuterKernels>(outerModule, { env: { memory } });
  if (loadedOuter === undefined) loadedOuter = outerModule && wasmOuterKernels(new (webAssembly()!.Memory)({ initial: 1 }));
  return loadedOuter;
}

/** The elementwise module, or null when this host cannot run it (loaded on the first call). */
export function wasmElementwiseKernels(): WasmElementwiseKernels | null {
  return loadedOnce<WasmElementwiseKernels>(WASM_ELEMENTWISE_HEX);
}

/** The convolution's module, or null when this host cannot run it (loaded on the first call). */
export function wasmDotKernels(): WasmDotKernels | null {
  return loadedOnce<WasmDotKernels>(WASM_DOT_HEX);
}

/** The in-place update module, or null when this host cannot run it (loaded on the first call). */
export function wasmUpdateKernels(): WasmUpdateKernels | null {
  return loadedOnce<WasmUpdateKernels>(WASM_UPDATE_HEX);
}

/** The float array kind (Float32Array or Float64Array) every array given shares, or null (int32, mixed dtypes). */
export function floatArrayKind(first: unknown, ...rest: unknown[]): Float32ArrayConstructor | Float64ArrayConstructor | null {
  const Kind = first instanceof Float32Array ? Float32Array : first instanceof Float64Array ? Float64Array : null;
  return Kind !== null && rest.every((x) => x instanceof Kind) ? Kind : null;
}

/** Rounds a byte address up to 16, the alignment of a v128. */
export const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * The module's memory, grown to at least `end` bytes. Views must be made after this call: growing detaches the
 * previous buffer.
 */
export function wasmMemory(kernels: WasmHeap, end: number): ArrayBuffer {
  const pages = Math.ceil(end / 65536) - kernels.memory.buffer.byteLength / 65536;
  if (pages > 0) kernels.memory.grow(pages);
  return kernels.memory.buffer;
}

/** A WebAssembly memory of exactly `pages` pages of 64 KiB that never grows, or null when the host cannot make one. */
export function fixedWasmMemory(pages: number): WasmMemoryObject | null {
  try {
    return new (webAssembly()!.Memory)({ initial: pages, maximum: pages });
  } catch {
    // No WebAssembly, too many pages, or the address space for another memory is exhausted.
    return null;
  }
}
