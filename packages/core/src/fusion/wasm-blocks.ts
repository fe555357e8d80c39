/**
 * Fused programs on the WebAssembly elementwise module (ndarray/kernels/backend/wasm-elementwise.ts), a block at a
 * time in the module's own memory: each input block is copied in once, then every step runs on blocks that stay
 * there, in cache: the module's map (add, mul, tanhGrad, relu as addRelu with 0, …), its float32 tanh, or, for a
 * kernel it lacks (exp, float64 tanh, …), that kernel's TypeScript loop on views of the same memory. Reduced outputs
 * go into the module's running sums (a sum of a product straight from its two factors); written ones are copied
 * out. The module computes what the TypeScript loops do, bit for bit (its header), and the running sums continue
 * across blocks of a multiple of four elements in reduce.ts's order, so results are the eager ones bit for bit.
 */
import type { TypedArray } from '../ndarray/dtype.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { BroadcastPlan } from '../ndarray/kernels/broadcast-plan.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import { wasmElementwiseArena, wasmElementwiseChosen, wasmMapOpCode } from '../ndarray/kernels/backend/wasm-elementwise.js';
import { BLOCK, type Program, type Step, accumulate, gather, isScalarSlot, planFor } from './block-program.js';

/** Under 'auto', smaller programs run as one generated JavaScript loop: a block's calls cost more than they save. */
const AUTO_MIN_ELEMENTS = 8192;
/** Bytes of a one-element slot: the module splats a broadcast operand into its first 16 bytes. */
const CELL = 16;
/** tanh's float32 kernel leaves the values with |x| >= 7.905… (and NaN) to its element form; this redoes a superset. */
const TANH_REDO = 7;

/**
 * Runs `program` on the module as runFused's contract has it (written outputs into `written`, sums returned), or
 * returns undefined when WebAssembly is not chosen for its size or the module is unavailable.
 */
export function runOnWasm(
  program: Program,
  inputs: readonly TypedArray[],
  written: ReadonlyArray<TypedArray | null>,
): number[] | undefined {
  if (!wasmElementwiseChosen(program.size, AUTO_MIN_ELEMENTS)) return undefined;
  const { slots, steps, outputs, size, dtype, shape } = program;
  const f32 = dtype === 'float32';
  const Kind = f32 ? Float32Array : Float64Array;
  const block = Math.min(BLOCK, (size + 3) & ~3);
  // The arena: a zero cell, then each slot (a cell, or a block), then each output's four running sums.
  let bytes = CELL;
  const offset = slots.map((spec) => {
    const o = bytes;
    bytes += isScalarSlot(spec) ? CELL : block * Kind.BYTES_PER_ELEMENT;
    return o;
  });
  const arena = wasmElementwiseArena(bytes + 32 * outputs.length);
  if (arena === null) return undefined;
  const { kernels, buffer, base } = arena;
  const map = f32 ? kernels.mapF32 : kernels.mapF64;
  const sum = f32 ? kernels.sumF32 : kernels.sumF64;
  const at = offset.map((o) => base + o);
  const full = slots.map((spec, s) => new Kind(buffer, at[s], isScalarSlot(spec) ? 1 : block));
  let view = full;
  const plans = new Map<number, BroadcastPlan>();
  new Kind(buffer, base, CELL / Kind.BYTES_PER_ELEMENT).fill(0);
  // A reduced product read by nothing else is summed straight from its two factors (the mul step is skipped).
  const reads = slots.map(() => 0);
  for (const st of steps) {
    reads[st.a]++;
    if (st.b >= 0) reads[st.b]++;
  }
  outputs.forEach((o) => reads[o.slot]++);
  const product = outputs.map((o) => {
    const st = steps.find((x) => x.out === o.slot);
    return o.reduce && st?.kernel.name === 'mul' && reads[o.slot] === 1 && !isScalarSlot(slots[st.a]) && !isScalarSlot(slots[st.b])
      ? st
      : null;
  });
  const accs = outputs.map((_, k) => new Float64Array(buffer, base + bytes + 32 * k, 4).fill(0));
  const run = (st: Step, len: number): void => {
    const sa = isScalarSlot(slots[st.a]) ? 0 : 1;
    const sb = st.b >= 0 && isScalarSlot(slots[st.b]) ? 0 : 1;
    const n = sa === 0 && sb === 0 ? 1 : len;
    const name = st.kernel.name;
    const code = wasmMapOpCode(st.b < 0 ? (name === 'relu' ? 'addRelu' : '') : name);
    if (code !== undefined) return map(code, at[st.a], st.b < 0 ? base : at[st.b], at[st.out], n, sa, st.b < 0 ? 0 : sb);
    if (st.b >= 0) return (st.kernel as BinaryKernel).loop(view[st.a], view[st.b], view[st.out], planFor(plans, n, sa, sb));
    const kernel = st.kernel as UnaryKernel;
    if (f32 && name === 'tanh' && n > 1) {
      const X = view[st.a];
      const O = view[st.out];
      const pairs = n & ~1;
      const redo = kernels.tanhF32(at[st.a], at[st.out], pairs) > 0 ? 0 : pairs;
      for (let i = redo; i < n; i++) if (i >= pairs || !(Math.abs(X[i]) < TANH_REDO)) O[i] = kernel.float32!(X[i]);
      return;
    }
    kernel.loop(view[st.a], view[st.out]);
  };
  slots.forEach((spec, s) => {
    if (spec.kind === 'scalar') full[s][0] = inputs[spec.input][0];
    else if (spec.kind === 'const') full[s][0] = spec.value;
  });
  // Steps of one-element values once, before the blocks.
  for (const st of steps) if (isScalarSlot(slots[st.out])) run(st, 1);
  const skipped = new Set(product);
  for (let start = 0; start < size; start += block) {
    const len = Math.min(block, size - start);
    if (len < block) view = full.map((v, s) => (isScalarSlot(slots[s]) ? v : v.subarray(0, len)));
    slots.forEach((spec, s) => {
      if (spec.kind === 'full') view[s].set(inputs[spec.input].subarray(start, start + len));
      else if (spec.kind === 'partial') gather(inputs[spec.input], spec.strides, shape, start, len, view[s]);
    });
    for (const st of steps) if (!isScalarSlot(slots[st.out]) && !skipped.has(st)) run(st, len);
    outputs.forEach((o, k) => {
      const scalar = isScalarSlot(slots[o.slot]);
      const p = product[k];
      if (!o.reduce) {
        if (scalar) written[k]!.fill(view[o.slot][0], start, start + len);
        else written[k]!.set(view[o.slot], start);
      } else if (scalar) accumulate(accs[k], view[o.slot], true, len, len & ~3);
      else sum(p === null ? at[o.slot] : at[p.a], p === null ? 0 : at[p.b], len, accs[k].byteOffset);
    });
  }
  return accs.map((s) => s[0] + s[1] + (s[2] + s[3]));
}
