/**
 * The WebAssembly SIMD kernels (sources: packages/core/wasm/gemm.ts and tanh.ts, embedded by wasm/build.mjs), one
 * module shared by every kernel that uses it. Loaded lazily and synchronously on first use; if the host has no
 * WebAssembly or no SIMD, it is reported unavailable and the callers fall back to the TypeScript kernels.
 */
import { WASM_KERNELS_HEX } from './wasm-kernels.generated.js';

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

/** The module's exports (byte addresses into its memory for every array argument). */
export interface WasmKernels {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  packedABytes(size: number): number;
  packedBBytes(size: number): number;
  readonly gemmF32: WasmGemm;
  readonly gemmF64: WasmGemm;
  tanhF32(x: number, o: number, n: number): number;
}

// The few WebAssembly members used, typed here so the core needs neither DOM nor Node type libraries.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let loaded: WasmKernels | null | undefined;

function decodeHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function load(): WasmKernels | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!api) return null;
  try {
    // Synchronous compilation: the module is under 4 KB, the limit browsers impose on the main thread.
    return new api.Instance(new api.Module(decodeHex(WASM_KERNELS_HEX)), {}).exports as WasmKernels;
  } catch {
    // No SIMD support (validation fails) or WebAssembly disabled: the TypeScript kernels serve instead.
    return null;
  }
}

/** The loaded module, or null when this host cannot run it (loaded on the first call). */
export function wasmKernels(): WasmKernels | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** Rounds a byte address up to 16, the alignment of a v128. */
export const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * The module's memory, grown to at least `end` bytes. Views must be made after this call: growing detaches the
 * previous buffer.
 */
export function wasmMemory(kernels: WasmKernels, end: number): ArrayBuffer {
  const pages = Math.ceil(end / 65536) - kernels.memory.buffer.byteLength / 65536;
  if (pages > 0) kernels.memory.grow(pages);
  return kernels.memory.buffer;
}
