/**
 * A fused program as one generated JavaScript loop (`new Function` over typed arrays): per element, each step is
 * its kernel's element form (`scalar`, or `float32` where the float32 loop differs), rounded to the dtype with
 * Math.fround as storing into a Float32Array would, with add/sub/mul/div/neg written inline. Values that are the
 * same for every element (scalar inputs, constants, steps of those) are computed once before the loop; reduced
 * outputs keep reduceAll's four running sums (the last loop is unrolled by four). So the loop computes what the
 * eager kernels do, element for element and bit for bit (test/fuse.test.ts), in one pass with nothing stored but
 * the outputs.
 *
 * A step whose kernel has a float32 loop faster than its element form (tanh's, in WebAssembly SIMD: the kernel's
 * `float32` field marks it) runs as that loop instead, on blocks of BLOCK elements: the loop is cut into segments
 * around it, and the values crossing a cut go through block-sized scratch arrays that stay in cache.
 *
 * A kernel set installed with setKernelSet may run the whole program instead (its `fused`), with the same bits.
 * Where WebAssembly is chosen, float32 programs run on its elementwise module's blocks (wasm-blocks.ts): four lanes
 * per operation and no Math.fround; float64 ones keep the generated loop, faster than two-lane blocks.
 *
 * Where `new Function` is refused (a page whose Content-Security-Policy forbids 'unsafe-eval'), programs run on
 * block-program.ts instead: the same results, op by op on cached blocks.
 */
import { type TypedArray, allocate } from '../ndarray/dtype.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import { installedFused } from '../ndarray/kernels/backend/kernel-backend.js';
import { BLOCK, type Program, type Step, isScalarSlot, materialise, runProgram } from './block-program.js';
import { runOnWasm } from './wasm-blocks.js';

/** The generated loop: inputs, written outputs (null for reduced ones); returns each reduced output's sum (0 for the others). */
export type CompiledLoop = (n: number, inputs: readonly TypedArray[], written: ReadonlyArray<TypedArray | null>) => number[];

const INLINE_BINARY: Readonly<Record<string, (a: string, b: string) => string>> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
};

const loops = new WeakMap<Program, CompiledLoop | null>();
let generatedCodeAllowed = true;

/**
 * Runs `program` over `inputs`: written outputs go into `written[k]`, reduced ones are returned (by output index).
 * The generated loop where the host allows it, else the block runner.
 */
export function runFused(program: Program, inputs: readonly TypedArray[], written: ReadonlyArray<TypedArray | null>): readonly number[] {
  // A backend's kernel set (e.g. @tapegrad/native's) may run the whole program, with the same bits.
  const sums = installedFused(program, inputs, written);
  if (sums !== undefined) return sums;
  let loop = loops.get(program);
  if (loop === undefined) {
    loop = generatedCodeAllowed ? generateLoop(program) : null;
    loops.set(program, loop);
  }
  // float32 on WebAssembly's blocks (four lanes, no Math.fround per op); float64's one generated loop beats them.
  const simd = loop === null || program.dtype === 'float32' ? runOnWasm(program, inputs, written) : undefined;
  if (simd !== undefined) return simd;
  if (loop === null) return runProgram(program, inputs, written);
  const full = program.slots.reduce<readonly TypedArray[]>(
    (ins, spec) => (spec.kind === 'partial' ? ins.map((x, k) => (k === spec.input ? materialise(x, spec.strides, program) : x)) : ins),
    inputs,
  );
  return loop(program.size, full, written);
}

/** @internal for tests: run every program on the block runner from now on (as where generated code is refused). */
export function setGeneratedCode(allowed: boolean): void {
  generatedCodeAllowed = allowed;
}

/** A step run as its kernel's own loop on blocks: a kernel whose float32 loop is not its element form (tanh). */
function runsAsLoop(st: Step, dtype: Program['dtype']): boolean {
  return dtype === 'float32' && st.b < 0 && (st.kernel as UnaryKernel).float32 !== undefined;
}

/** Generates the loop of `program`, or returns null where the host refuses generated code. */
export function generateLoop(program: Program): CompiledLoop | null {
  const { slots, steps, outputs, dtype } = program;
  const round = dtype === 'float32' ? (e: string): string => `F(${e})` : (e: string): string => e;
  const kernels: Array<(...xs: number[]) => number> = [];
  const expressions = new Map<Step, string>();
  const expression = (st: Step): string => {
    let e = expressions.get(st);
    if (e === undefined) expressions.set(st, (e = elementExpression(st)));
    return e;
  };
  const elementExpression = (st: Step): string => {
    const a = `v${st.a}`;
    if (st.b < 0) {
      const k = st.kernel as UnaryKernel;
      if (k.name === 'neg') return round(`-${a}`);
      kernels.push((dtype === 'float32' && k.float32) || k.scalar);
    } else {
      const inline = INLINE_BINARY[st.kernel.name];
      if (inline !== undefined) return round(inline(a, `v${st.b}`));
      kernels.push((st.kernel as BinaryKernel).scalar);
    }
    return round(`K${kernels.length - 1}(${a}${st.b < 0 ? '' : `, v${st.b}`})`);
  };
  const hoisted: string[] = [];
  slots.forEach((spec, s) => {
    if (spec.kind === 'scalar') hoisted.push(`const v${s} = I${spec.input}[0];`);
    else if (spec.kind === 'const') hoisted.push(`const v${s} = ${literal(spec.value)};`);
  });
  // Segments of inline steps, cut at each step run as its kernel's loop; producedIn: the segment a value is made in
  // (a loop step's value: the segment before it, so that later segments read it from scratch).
  const segments: Step[][] = [[]];
  const loopSteps: Step[] = [];
  const producedIn = slots.map(() => -1);
  for (const st of steps) {
    if (isScalarSlot(slots[st.out])) hoisted.push(`const v${st.out} = ${expression(st)};`);
    else {
      producedIn[st.out] = segments.length - 1;
      if (runsAsLoop(st, dtype)) {
        loopSteps.push(st);
        segments.push([]);
      } else segments[segments.length - 1].push(st);
    }
  }
  const last = segments.length - 1;
  const readsOf = segments.map((segment, k) => {
    const reads = new Set<number>();
    for (const st of segment) {
      reads.add(st.a);
      if (st.b >= 0) reads.add(st.b);
    }
    if (k === last) for (const o of outputs) reads.add(o.slot);
    return reads;
  });
  const isArray = (s: number): boolean => slots[s].kind === 'full' || slots[s].kind === 'partial';
  const inScratch = new Set<number>();
  readsOf.forEach((reads, k) =>
    reads.forEach((s) => slots[s].kind === 'step' && !isScalarSlot(slots[s]) && producedIn[s] < k && inScratch.add(s)),
  );
  for (const st of loopSteps) {
    if (!isArray(st.a) && !isScalarSlot(slots[st.a])) inScratch.add(st.a);
    inScratch.add(st.out);
  }
  const segmentCode = (k: number, lane: number): string => {
    const i = lane === 0 ? 'i' : `i + ${lane}`;
    const j = lane === 0 ? 'j' : `j + ${lane}`;
    const lines: string[] = [];
    for (const s of readsOf[k]) {
      const spec = slots[s];
      if (spec.kind === 'full' || spec.kind === 'partial') lines.push(`const v${s} = I${spec.input}[${i}];`);
      else if (inScratch.has(s) && producedIn[s] < k) lines.push(`const v${s} = S${s}[${j}];`);
    }
    for (const st of segments[k]) {
      lines.push(`const v${st.out} = ${expression(st)};`);
      if (inScratch.has(st.out)) lines.push(`S${st.out}[${j}] = v${st.out};`);
    }
    if (k === last) outputs.forEach((o, m) => lines.push(o.reduce ? `s${m}_${lane} += v${o.slot};` : `W${m}[${i}] = v${o.slot};`));
    return `{ ${lines.join(' ')} }`;
  };
  const body: string[] = [];
  const loopKernels: Array<UnaryKernel['loop']> = [];
  for (let k = 0; k < last; k++) {
    // A broadcast scalar operand of a loop step (tanh of a scalar) never reaches here: that step is hoisted.
    if (segments[k].length > 0) body.push(`for (let i = start, j = 0; i < end; i++, j++) ${segmentCode(k, 0)}`);
    const st = loopSteps[k];
    loopKernels.push((st.kernel as UnaryKernel).loop);
    const a = slots[st.a];
    const input = a.kind === 'full' || a.kind === 'partial' ? `I${a.input}.subarray(start, end)` : `part(S${st.a}, len)`;
    body.push(`L${k}(${input}, part(S${st.out}, len));`);
  }
  body.push(
    `{ const e4 = end < n4 ? end : n4; let i = start, j = 0;`,
    `for (; i < e4; i += 4, j += 4) { ${[0, 1, 2, 3].map((lane) => segmentCode(last, lane)).join(' ')} }`,
    `for (; i < end; i++, j++) ${segmentCode(last, 0)} }`,
  );
  const source = [
    `'use strict';`,
    `return function fusedLoop(n, I, W, S) {`,
    ...slots.flatMap((spec) =>
      spec.kind === 'full' || spec.kind === 'partial' || spec.kind === 'scalar' ? [`const I${spec.input} = I[${spec.input}];`] : [],
    ),
    ...[...inScratch].map((s) => `const S${s} = S[${s}];`),
    ...outputs.flatMap((o, m) => (o.reduce ? [`let s${m}_0 = 0, s${m}_1 = 0, s${m}_2 = 0, s${m}_3 = 0;`] : [`const W${m} = W[${m}];`])),
    ...hoisted,
    `const n4 = n - (n % 4);`,
    `const step = ${last > 0 ? BLOCK : 0} || n || 1;`,
    `for (let start = 0; start < n; start += step) {`,
    `const end = start + step < n ? start + step : n;`,
    `const len = end - start;`,
    ...body,
    `}`,
    `return [${outputs.map((o, m) => (o.reduce ? `s${m}_0 + s${m}_1 + (s${m}_2 + s${m}_3)` : '0')).join(', ')}];`,
    `};`,
  ].join('\n');
  const params = ['F', 'part', ...kernels.map((_, k) => `K${k}`), ...loopKernels.map((_, k) => `L${k}`)];
  const part = (x: TypedArray, len: number): TypedArray => (len === x.length ? x : x.subarray(0, len));
  let loop: (n: number, I: readonly TypedArray[], W: ReadonlyArray<TypedArray | null>, S: readonly TypedArray[]) => number[];
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of this file (see its header)
    const make = new Function(...params, source) as (...fns: unknown[]) => typeof loop;
    loop = make(Math.fround, part, ...kernels, ...loopKernels);
  } catch {
    return null;
  }
  const scratch: TypedArray[] = [];
  for (const s of inScratch) scratch[s] = allocate(dtype, Math.min(BLOCK, program.size));
  return (n, inputs, written) => loop(n, inputs, written, scratch);
}

function literal(v: number): string {
  return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : String(v);
}
