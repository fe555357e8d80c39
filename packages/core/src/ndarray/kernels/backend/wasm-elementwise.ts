/**
 * Binary maps (add, sub, mul, div, tanhGrad, reluGrad, addRelu), relu, sums and float32 tanh by the WebAssembly SIMD module (sources:
 * packages/core/wasm/elementwise.ts and tanh.ts), bit for bit what core's TypeScript loops give. Operands are copied into the
 * module's memory a block at a time and each result block copied out while it is still in the cache: on 1e6 float32
 * elements a map takes about a quarter of the TypeScript loop's time and a sum about half (docs/decisions.md,
 * session 6, "WebAssembly elementwise maps and sums").
 */
import type { TypedArray } from '../../dtype.js';
import { type BroadcastRuns, wasmChosen } from './kernel-backend.js';
import { type WasmElementwiseKernels, align16, floatArrayKind, wasmElementwiseKernels, wasmMemory } from './wasm-module.js';

/** Bytes of each operand per call: three blocks (two operands and the result) stay in the L2 cache. */
const BLOCK_BYTES = 64 * 1024;
/** Under 'auto', shorter maps and sums stay in TypeScript: the call and the copies cost more than they save. */
const MAP_MIN_ELEMENTS = 256;
const SUM_MIN_ELEMENTS = 1024;
/** Under 'auto', row broadcasts and column sums with shorter rows stay in TypeScript: each row costs a map's setup. */
const ROW_MIN_ELEMENTS = 16;
/** The module's op codes, by core kernel name. */
const OPS: Readonly<Partial<Record<string, number>>> = { add: 0, sub: 1, mul: 2, div: 3, tanhGrad: 4, reluGrad: 5, addRelu: 6 };
/** relu(x) is addRelu(x, 0) bit for bit: x + 0 is x (a -0 becomes +0, which relu gives -0 anyway). */
const ZERO = { Float32Array: new Float32Array(1), Float64Array: new Float64Array(1) };

/** True when WebAssembly should take an elementwise kernel of n elements under the chosen backend. */
export function wasmElementwiseChosen(n: number, autoMin = MAP_MIN_ELEMENTS): boolean {
  return wasmChosen(n, autoMin);
}

/** The module and its memory laid out as [four running sums][a block][b block][out block], or null when unavailable. */
function layout(): { kernels: WasmElementwiseKernels; buffer: ArrayBuffer; acc: number; a: number; b: number; o: number } | null {
  const kernels = wasmElementwiseKernels();
  if (kernels === null) return null;
  const acc = align16(kernels.heapBase());
  const a = acc + 32;
  const b = a + BLOCK_BYTES;
  const o = b + BLOCK_BYTES;
  return { kernels, buffer: wasmMemory(kernels, o + BLOCK_BYTES), acc, a, b, o };
}

/**
 * O = kernel(A, B) along `runs` for add, sub, mul, div, tanhGrad, reluGrad and addRelu when A, B and O are all float32
 * or all float64 and WebAssembly is chosen and available; false (nothing written) otherwise.
 */
export function wasmBinary(name: string, A: TypedArray, B: TypedArray, O: TypedArray, runs: BroadcastRuns): boolean {
  const op = OPS[name];
  if (op === undefined) return false;
  if (runs.rows === 1) return map(op, A, runs.aOff[0], runs.sa, B, runs.bOff[0], runs.sb, O);
  // A row broadcast ([n, m] with [m] or [1, m], either order): one operand's runs follow each other, the other's repeat.
  const { aOff, bOff, len } = runs;
  if (runs.sa !== 1 || runs.sb !== 1) return false;
  if (repeats(bOff) && follows(aOff, len)) return mapRows(op, A, aOff[0], B, bOff[0], O, len, true);
  return repeats(aOff) && follows(bOff, len) && mapRows(op, B, bOff[0], A, aOff[0], O, len, false);
}

const repeats = (off: Int32Array): boolean => off.every((v) => v === off[0]);
const follows = (off: Int32Array, len: number): boolean => off.every((v, r) => v === off[0] + r * len);

/** O = kernel(X) for relu, under the same conditions as wasmBinary; false (nothing written) otherwise. */
export function wasmUnary(name: string, X: TypedArray, O: TypedArray): boolean {
  return (
    name === 'relu' &&
    X instanceof O.constructor &&
    map(OPS.addRelu!, X, 0, 1, ZERO[X instanceof Float32Array ? 'Float32Array' : 'Float64Array'], 0, 0, O)
  );
}

/** O[i] = op(A[a0 + i sa], B[b0 + i sb]) for every i of O (steps 0 or 1). */
function map(op: number, A: TypedArray, a0: number, sa: number, B: TypedArray, b0: number, sb: number, O: TypedArray): boolean {
  const n = O.length;
  if (!wasmElementwiseChosen(n)) return false;
  const Kind = floatArrayKind(O, A, B);
  const at = Kind && layout();
  if (!Kind || !at) return false;
  const block = Math.min(n, BLOCK_BYTES / Kind.BYTES_PER_ELEMENT);
  const a = new Kind(at.buffer, at.a, block);
  const b = new Kind(at.buffer, at.b, block);
  const o = new Kind(at.buffer, at.o, block);
  const run = Kind === Float32Array ? at.kernels.mapF32 : at.kernels.mapF64;
  for (let i = 0; i < n; i += block) {
    const m = Math.min(block, n - i);
    // A broadcast operand (step 0) is its one element; the kernel splats it.
    a.set(A.subarray(a0 + i * sa, a0 + (sa === 0 ? 1 : i + m)));
    b.set(B.subarray(b0 + i * sb, b0 + (sb === 0 ? 1 : i + m)));
    run(op, at.a, at.b, at.o, m, sa, sb);
    O.set(m === block ? o : o.subarray(0, m), i);
  }
  return true;
}

/**
 * O = op(Full, Row) (op(Row, Full) when `rowIsB` is false) with Row's `len` elements from row0 read against each of
 * Full's O.length / len rows from full0: whole rows of Full a block at a time, the row copied once.
 */
function mapRows(
  op: number,
  Full: TypedArray,
  full0: number,
  Row: TypedArray,
  row0: number,
  O: TypedArray,
  len: number,
  rowIsB: boolean,
): boolean {
  const n = O.length;
  const Kind = floatArrayKind(O, Full, Row);
  const at = Kind && wasmRowsChosen(n, len, Kind) && layout();
  if (!Kind || !at) return false;
  const S = Kind.BYTES_PER_ELEMENT;
  const block = Math.floor(BLOCK_BYTES / S / len) * len;
  const [full, row] = rowIsB ? [at.a, at.b] : [at.b, at.a];
  new Kind(at.buffer, row, len).set(Row.subarray(row0, row0 + len));
  const f = new Kind(at.buffer, full, block);
  const o = new Kind(at.buffer, at.o, block);
  const run = Kind === Float32Array ? at.kernels.mapRowsF32 : at.kernels.mapRowsF64;
  for (let i = 0; i < n; i += block) {
    const m = Math.min(block, n - i);
    f.set(Full.subarray(full0 + i, full0 + i + m));
    run(op, at.a, at.b, at.o, m / len, len, rowIsB ? len * S : 0, rowIsB ? 0 : len * S, len * S);
    O.set(m === block ? o : o.subarray(0, m), i);
  }
  return true;
}

/**
 * Whether WebAssembly takes rows of `len` elements, n in all: under 'auto' rows of at least ROW_MIN_ELEMENTS (shorter
 * ones cost a map's setup each for little work). Never rows longer than a block.
 */
function wasmRowsChosen(n: number, len: number, Kind: { BYTES_PER_ELEMENT: number }): boolean {
  return len * Kind.BYTES_PER_ELEMENT <= BLOCK_BYTES && wasmElementwiseChosen(n) && (len >= ROW_MIN_ELEMENTS || wasmChosen(n, Infinity));
}

/**
 * out[o, i] = the sum over k of X[o, k, i], X viewed as [outer, n, inner] (reduce.ts's reduceMiddle, out zeros on
 * entry): the same additions in the same order, X[o, 0, i] first, each rounded to the arrays' type. False (nothing
 * written) when WebAssembly is not chosen or unavailable, or the arrays are not both float32 or both float64.
 */
export function wasmColumnSums(X: TypedArray, out: TypedArray, outer: number, n: number, inner: number): boolean {
  const Kind = floatArrayKind(out, X);
  const width = Kind && Math.min(inner, BLOCK_BYTES / Kind.BYTES_PER_ELEMENT);
  const at = Kind && width && wasmRowsChosen(X.length, width, Kind) && layout();
  if (!Kind || !width || !at) return false;
  const S = Kind.BYTES_PER_ELEMENT;
  const perBlock = Math.floor(BLOCK_BYTES / S / width);
  const x = new Kind(at.buffer, at.a, perBlock * width);
  const acc = new Kind(at.buffer, at.o, width);
  const run = Kind === Float32Array ? at.kernels.mapRowsF32 : at.kernels.mapRowsF64;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c += width) {
      const w = Math.min(width, inner - c);
      acc.fill(0);
      for (let k = 0; k < n; k += perBlock) {
        const rows = Math.min(perBlock, n - k);
        const first = (o * n + k) * inner + c;
        if (w === inner) x.set(X.subarray(first, first + rows * w));
        else for (let r = 0; r < rows; r++) x.set(X.subarray(first + r * inner, first + r * inner + w), r * w);
        // acc = acc + row, row after row: the accumulator's steps are 0.
        run(OPS.add!, at.o, at.a, at.o, rows, w, 0, w * S, 0);
      }
      out.set(acc.subarray(0, w), o * inner + c);
    }
  }
  return true;
}

/**
 * The sum of A (of A[i] * B[i], each product rounded to the arrays' type, when B is given) in reduce.ts's order: four
 * running sums in float64, element i into sum i % 4, the last n % 4 elements into the first, then s0 + s1 + (s2 + s3).
 * Undefined when the arrays are not both float32 or both float64, or WebAssembly is not chosen or unavailable.
 */
export function wasmSum(A: TypedArray, B?: TypedArray): number | undefined {
  if (!wasmElementwiseChosen(A.length, SUM_MIN_ELEMENTS)) return undefined;
  const Kind = B === undefined ? floatArrayKind(A) : floatArrayKind(A, B);
  const at = Kind && layout();
  if (!Kind || !at) return undefined;
  // A whole number of groups of four per block, so every block's element i lands in the sum the full loop uses.
  const block = BLOCK_BYTES / Kind.BYTES_PER_ELEMENT;
  const a = new Kind(at.buffer, at.a, block);
  const b = new Kind(at.buffer, at.b, block);
  const sums = new Float64Array(at.buffer, at.acc, 4);
  sums.fill(0);
  const sum = Kind === Float32Array ? at.kernels.sumF32 : at.kernels.sumF64;
  for (let i = 0; i < A.length; i += block) {
    const end = Math.min(A.length, i + block);
    a.set(A.subarray(i, end));
    if (B !== undefined) b.set(B.subarray(i, end));
    sum(at.a, B === undefined ? 0 : at.b, end - i, at.acc);
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
  const block = Math.min(n, BLOCK_BYTES / 4);
  const x = new Float32Array(at.buffer, at.a, block);
  const o = new Float32Array(at.buffer, at.o, block);
  let outside = 0;
  for (let i = 0; i < n; i += block) {
    const m = Math.min(block, n - i);
    x.set(X.subarray(i, i + m));
    outside += at.kernels.tanhF32(at.a, at.o, m);
    O.set(m === block ? o : o.subarray(0, m), i);
  }
  return outside;
}

/** The module's map op code for a core binary kernel name (add, mul, tanhGrad, …), or undefined where it has none. */
export function wasmMapOpCode(name: string): number | undefined {
  return OPS[name];
}

/**
 * The module with `bytes` of its memory free from `base` (16-aligned, past this file's blocks): the buffer stays valid
 * while nothing grows the memory, which this file's kernels then do not. Null when the module is unavailable.
 */
export function wasmElementwiseArena(bytes: number): { kernels: WasmElementwiseKernels; buffer: ArrayBuffer; base: number } | null {
  const at = layout();
  if (at === null) return null;
  const base = at.o + BLOCK_BYTES;
  return { kernels: at.kernels, buffer: wasmMemory(at.kernels, base + bytes), base };
}
