/**
 * A fused program and the loop that runs it. A program is a list of elementwise kernel calls over slots; it runs
 * over the data a block of BLOCK elements at a time, each call being the op's own kernel loop (ndarray/kernels) on
 * that block, so every intermediate lives in a small scratch array that stays in cache and no full-size
 * intermediate is ever allocated. Because the kernels are the ones the eager ops run, and each writes into scratch
 * of the program's dtype (the same rounding as an eager op's output), a fused value is bit for bit an eager one.
 * Reductions keep reduceAll's four running sums across blocks (BLOCK is a multiple of 4), so they are too.
 */
import { type TypedArray, allocate } from '../ndarray/dtype.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { BroadcastPlan } from '../ndarray/kernels/broadcast-plan.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import type { FusedProgram, FusedSlot, FusedStep } from '../ndarray/kernels/backend/kernel-backend.js';

/** Elements per block: scratch arrays of 16 KB (float32) stay in L1/L2 (a multiple of 4, for the running sums). */
export const BLOCK = 4096;

/** Where a slot's value comes from (the kernel seam's FusedSlot: a backend may run whole programs). */
export type SlotSpec = FusedSlot;

/** One kernel call, as the kernel seam's FusedStep has it but with the kernel itself: `out = kernel(a)` or `out = kernel(a, b)`. */
export interface Step extends FusedStep {
  readonly kernel: UnaryKernel | BinaryKernel;
}

/** A program as the kernel seam's FusedProgram has it (a backend may run it whole), its steps holding their kernels. */
export interface Program extends FusedProgram {
  readonly steps: readonly Step[];
}

/** A slot is one element (broadcast) rather than a block. */
export function isScalarSlot(spec: SlotSpec): boolean {
  return spec.kind === 'scalar' || spec.kind === 'const' || (spec.kind === 'step' && spec.scalar);
}

/** Runtime state a program keeps between runs: its scratch blocks, reused on every call (never handed out). */
interface Scratch {
  readonly blocks: TypedArray[];
  readonly plans: Map<number, BroadcastPlan>;
}
const scratchOf = new WeakMap<Program, Scratch>();

export function planFor(plans: Map<number, BroadcastPlan>, len: number, sa: number, sb: number): BroadcastPlan {
  const key = len * 4 + sa * 2 + sb;
  let p = plans.get(key);
  if (p === undefined) {
    const zero = new Int32Array(1);
    p = { shape: [len], size: len, rows: 1, len, sa, sb, aOff: zero, bOff: zero };
    plans.set(key, p);
  }
  return p;
}

/**
 * Runs `program` over `inputs` (each as its slot specs read it). Written outputs go into `written[k]` (an array of
 * the full size, for each non-reduced output k); reduced outputs are returned as numbers, in output order.
 */
export function runProgram(program: Program, inputs: readonly TypedArray[], written: ReadonlyArray<TypedArray | null>): number[] {
  const { slots, steps, outputs, size, dtype } = program;
  let scratch = scratchOf.get(program);
  if (scratch === undefined) {
    const blocks = slots.map((spec) => {
      if (spec.kind === 'const') {
        const c = allocate(dtype, 1);
        c[0] = spec.value;
        return c;
      }
      return allocate(dtype, isScalarSlot(spec) ? 1 : spec.kind === 'full' ? 0 : Math.min(BLOCK, size));
    });
    scratch = { blocks, plans: new Map() };
    scratchOf.set(program, scratch);
  }
  const { blocks, plans } = scratch;
  const view: TypedArray[] = blocks.slice();
  // A written output computed by a step goes straight into its destination, not through scratch.
  const direct = new Map<number, number>();
  outputs.forEach((o, k) => {
    if (!o.reduce && slots[o.slot].kind === 'step' && !isScalarSlot(slots[o.slot]) && !direct.has(o.slot)) direct.set(o.slot, k);
  });
  const sums = outputs.map(() => new Float64Array(4));
  const lanesEnd = size - (size % 4);
  for (let start = 0; start < size; start += BLOCK) {
    const len = Math.min(BLOCK, size - start);
    for (let s = 0; s < slots.length; s++) {
      const spec = slots[s];
      switch (spec.kind) {
        case 'full':
          view[s] = inputs[spec.input].subarray(start, start + len);
          break;
        case 'scalar':
          view[s] = inputs[spec.input];
          break;
        case 'partial':
          view[s] = len === BLOCK ? blocks[s] : blocks[s].subarray(0, len);
          gather(inputs[spec.input], spec.strides, program.shape, start, len, view[s]);
          break;
        case 'step':
          if (!spec.scalar) {
            const k = direct.get(s);
            view[s] =
              k !== undefined
                ? written[k]!.subarray(start, start + len)
                : len === blocks[s].length
                  ? blocks[s]
                  : blocks[s].subarray(0, len);
          }
          break;
        case 'const':
          break;
      }
    }
    for (const st of steps) {
      if (st.b < 0) (st.kernel as UnaryKernel).loop(view[st.a], view[st.out]);
      else {
        const sa = isScalarSlot(slots[st.a]) ? 0 : 1;
        const sb = isScalarSlot(slots[st.b]) ? 0 : 1;
        const n = sa === 0 && sb === 0 ? 1 : len;
        (st.kernel as BinaryKernel).loop(view[st.a], view[st.b], view[st.out], planFor(plans, n, sa, sb));
      }
    }
    for (let k = 0; k < outputs.length; k++) {
      const o = outputs[k];
      const v = view[o.slot];
      const scalar = isScalarSlot(slots[o.slot]);
      if (o.reduce) accumulate(sums[k], v, scalar, len, Math.max(0, Math.min(len, lanesEnd - start)));
      else if (direct.get(o.slot) !== k) {
        const dest = written[k]!;
        if (scalar) dest.fill(v[0], start, start + len);
        else dest.set(v, start);
      }
    }
  }
  return sums.map((s) => s[0] + s[1] + (s[2] + s[3]));
}

/** reduceAll's four running sums, continued over one block: lanes up to `lanes` elements, the rest into the first. */
export function accumulate(acc: Float64Array, X: TypedArray, scalar: boolean, len: number, lanes: number): void {
  let s0 = acc[0],
    s1 = acc[1],
    s2 = acc[2],
    s3 = acc[3];
  let j = 0;
  if (scalar) {
    const v = X[0];
    for (; j < lanes; j += 4) {
      s0 += v;
      s1 += v;
      s2 += v;
      s3 += v;
    }
    for (; j < len; j++) s0 += v;
  } else {
    for (; j < lanes; j += 4) {
      s0 += X[j];
      s1 += X[j + 1];
      s2 += X[j + 2];
      s3 += X[j + 3];
    }
    for (; j < len; j++) s0 += X[j];
  }
  acc[0] = s0;
  acc[1] = s1;
  acc[2] = s2;
  acc[3] = s3;
}

/** A broadcast input as a full-size array (what the generated loop reads). */
export function materialise(src: TypedArray, strides: readonly number[], program: Program): TypedArray {
  const out = allocate(program.dtype, program.size);
  gather(src, strides, program.shape, 0, program.size, out);
  return out;
}

/** Copies elements [start, start + len) of `src` broadcast to `shape` (src's strides against it, 0 where broadcast). */
export function gather(
  src: TypedArray,
  strides: readonly number[],
  shape: readonly number[],
  start: number,
  len: number,
  dst: TypedArray,
): void {
  const rank = shape.length;
  const idx = new Array<number>(rank);
  let rest = start;
  let off = 0;
  for (let d = rank - 1; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
    off += idx[d] * strides[d];
  }
  for (let j = 0; j < len; j++) {
    dst[j] = src[off];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}
