/**
 * The WebAssembly SIMD matrix product (source: packages/core/wasm/gemm.ts, embedded by wasm/build.mjs).
 * Loaded lazily and synchronously on first use; if the host has no WebAssembly or no SIMD, `wasmGemm`
 * reports false and the caller falls back to the TypeScript kernel.
 */
import type { TypedArray } from '../ndarray/dtype.js';
import { GEMM_WASM_HEX } from './gemm-wasm.generated.js';

interface GemmExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  packedABytes(size: number): number;
  packedBBytes(size: number): number;
  gemmF32(a: number, b: number, c: number, m: number, n: number, k: number, tA: boolean, tB: boolean, pa: number, pb: number): void;
  gemmF64(a: number, b: number, c: number, m: number, n: number, k: number, tA: boolean, tB: boolean, pa: number, pb: number): void;
}

// The few WebAssembly members used, typed here so the core needs neither DOM nor Node type libraries.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let loaded: GemmExports | null | undefined;

function decodeHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  return bytes;
}

function load(): GemmExports | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!api) return null;
  try {
    // Synchronous compilation: the module is 3 KB, under the 4 KB main-thread limit browsers impose.
    return new api.Instance(new api.Module(decodeHex(GEMM_WASM_HEX)), {}).exports as GemmExports;
  } catch {
    // No SIMD support (validation fails) or WebAssembly disabled: the TypeScript kernel serves instead.
    return null;
  }
}

/** True when the WebAssembly kernel loaded (it is loaded on the first call). */
export function wasmGemmAvailable(): boolean {
  if (loaded === undefined) loaded = load();
  return loaded !== null;
}

const align = (bytes: number): number => (bytes + 15) & ~15;

/**
 * C[co..] = op(A) . op(B) for one m x n result, when A, B and C are all float32 or all float64 and the module
 * is available; returns false (and does nothing) otherwise. Operands are copied into the module's memory.
 */
export function wasmGemm(A: TypedArray, ao: number, B: TypedArray, bo: number, C: TypedArray, co: number, m: number, n: number, k: number, tA: boolean, tB: boolean): boolean {
  if (!wasmGemmAvailable() || !loaded) return false;
  const Kind = A instanceof Float32Array ? Float32Array : A instanceof Float64Array ? Float64Array : null;
  if (Kind === null || !(B instanceof Kind) || !(C instanceof Kind)) return false;
  const size = Kind.BYTES_PER_ELEMENT;
  const aAt = align(loaded.heapBase());
  const bAt = align(aAt + m * k * size);
  const cAt = align(bAt + k * n * size);
  const paAt = align(cAt + m * n * size);
  const pbAt = align(paAt + loaded.packedABytes(size));
  const end = pbAt + loaded.packedBBytes(size);
  const pages = Math.ceil(end / 65536) - loaded.memory.buffer.byteLength / 65536;
  if (pages > 0) loaded.memory.grow(pages);
  // Views are made after any growth: growing detaches the old buffer.
  const buffer = loaded.memory.buffer;
  new Kind(buffer, aAt, m * k).set(A.subarray(ao, ao + m * k));
  new Kind(buffer, bAt, k * n).set(B.subarray(bo, bo + k * n));
  (size === 4 ? loaded.gemmF32 : loaded.gemmF64)(aAt, bAt, cAt, m, n, k, tA, tB, paAt, pbAt);
  C.set(new Kind(buffer, cAt, m * n), co);
  return true;
}
