/**
 * Binary maps (add, sub, mul, div, tanhGrad), sums and tanh of float32 arrays by the WebAssembly SIMD module
 * (sources: packages/core/wasm/elementwise.ts and tanh.ts), bit for bit what core's TypeScript loops give. Operands
 * are copied into the module's memory a block at a time and each result block copied out while it is still in the
 * cache: on 1e6 elements a map takes about a quarter of the TypeScript loop's time and a sum about half
 * (docs/decisions.md, session 6, "WebAssembly elementwise maps and sums"). float64 arrays stay in TypeScript.
 */
import type { TypedArray } from '../../dtype.js';
import { type BroadcastRuns, getKernelBackend } from './kernel-backend.js';
import { type WasmElementwiseKernels, align16, wasmElementwiseKernels, wasmMemory } from './wasm-module.js';

/** Bytes of each operand per call: three blocks (two operands and the result) stay in the L2 cache. */
const BLOCK_BYTES = 64 * 1024;
/** float32 elements per block. */
const BLOCK = BLOCK_BYTES / 4;
/** Under 'auto', shorter maps and sums stay in TypeScript: the call and the copies cost more than they save. */
const MAP_MIN_ELEMENTS = 256;
const SUM_MIN_ELEMENTS = 1024;
/** The module's op codes, by core kernel name. */
const OPS: Readonly<Partial<Record<string, number>>> = { add: 0, sub: 1, mul: 2, div: 3, tanhGrad: 4 };

/** True when WebAssembly should take an elementwise kernel of n elements under the chosen backend. */
export function wasmElementwiseChosen(n: number, autoMin = MAP_MIN_ELEMENTS): boolean {
  const backend = getKernelBackend();
  return backend === 'wasm' || backend === 'wasm-relaxed' || (backend === 'auto' && n >= autoMin);
}

/** The module's memory laid out as [four running sums][a block][b block][out block], with float32 views of the blocks. */
interface Layout {
  readonly kernels: WasmElementwiseKernels;
  readonly acc: number;
  readonly a: number;
  readonly b: number;
  readonly o: number;
  readonly sums: Float64Array;
  readonly blocks: readonly [Float32Array, Float32Array, Float32Array];
}

/** The layout, when every array given is float32 and the module is available; null otherwise. */
function layout(...arrays: TypedArray[]): Layout | null {
  if (!arrays.every((x) => x instanceof Float32Array)) return null;
  const kernels = wasmElementwiseKernels();
  if (kernels === null) return null;
  const acc = align16(kernels.heapBase());
  const a = acc + 32;
  const b = a + BLOCK_BYTES;
  const o = b + BLOCK_BYTES;
  const buffer = wasmMemory(kernels, o + BLOCK_BYTES);
  const view = (at: number) => new Float32Array(buffer, at, BLOCK);
  return { kernels, acc, a, b, o, sums: new Float64Array(buffer, acc, 4), blocks: [view(a), view(b), view(o)] };
}

/**
 * O = kernel(A, B) along `runs` for add, sub, mul, div and tanhGrad when A, B and O are all float32 and WebAssembly
 * is chosen and available; false (nothing written) otherwise.
 */
export function wasmBinary(name: string, A: TypedArray, B: TypedArray, O: TypedArray, runs: BroadcastRuns): boolean {
  const op = OPS[name];
  const n = runs.len;
  if (op === undefined || runs.rows !== 1 || !wasmElementwiseChosen(n)) return false;
  const at = layout(O, A, B);
  if (at === null) return false;
  const { sa, sb } = runs;
  const a0 = runs.aOff[0];
  const b0 = runs.bOff[0];
  const [a, b, o] = at.blocks;
  for (let i = 0; i < n; i += BLOCK) {
    const m = Math.min(BLOCK, n - i);
    // A broadcast operand (step 0) is its one element; the kernel splats it.
    a.set(A.subarray(a0 + i * sa, a0 + (sa === 0 ? 1 : i + m)));
    b.set(B.subarray(b0 + i * sb, b0 + (sb === 0 ? 1 : i + m)));
    at.kernels.mapF32(op, at.a, at.b, at.o, m, sa, sb);
    O.set(m === BLOCK ? o : o.subarray(0, m), i);
  }
  return true;
}

/**
 * The sum of A (of A[i] * B[i], each product rounded to float32, when B is given) in reduce.ts's order: four running
 * sums in float64, element i into sum i % 4, the last n % 4 elements into the first, then s0 + s1 + (s2 + s3).
 * Undefined when the arrays are not float32, or WebAssembly is not chosen or unavailable.
 */
export function wasmSum(A: TypedArray, B?: TypedArray): number | undefined {
  const at = wasmElementwiseChosen(A.length, SUM_MIN_ELEMENTS) ? (B === undefined ? layout(A) : layout(A, B)) : null;
  if (at === null) return undefined;
  // A whole number of groups of four per block, so every block's element i lands in the sum the full loop uses.
  const [a, b] = at.blocks;
  const sums = at.sums;
  sums.fill(0);
  for (let i = 0; i < A.length; i += BLOCK) {
    const end = Math.min(A.length, i + BLOCK);
    a.set(A.subarray(i, end));
    if (B !== undefined) b.set(B.subarray(i, end));
    at.kernels.sumF32(at.a, B === undefined ? 0 : at.b, end - i, at.acc);
  }
  return sums[0] + sums[1] + (sums[2] + sums[3]);
}

/**
 * Writes tanh of X into O for the first `X.length & ~1` elements (the kernel works in pairs), bit for bit what the
 * TypeScript kernel writes, except at values with |x| >= its limit or NaN, which the caller must redo with
 * Math.tanh. Returns how many pairs held such a value (0: nothing to redo), or -1 when the module is unavailable
 * (nothing written).
 */
export function wasmTanhF32(X: Float32Array, O: Float32Array): number {
  const at = layout();
  if (at === null) return -1;
  const n = X.length & ~1;
  const [x, , o] = at.blocks;
  let outside = 0;
  for (let i = 0; i < n; i += BLOCK) {
    const m = Math.min(BLOCK, n - i);
    x.set(X.subarray(i, i + m));
    outside += at.kernels.tanhF32(at.a, at.o, m);
    O.set(m === BLOCK ? o : o.subarray(0, m), i);
  }
  return outside;
}
