/**
 * A fused program as one generated JavaScript loop (`new Function` over typed arrays): per element, each step is
 * its kernel's element form (`scalar`, or `float32` where the float32 loop differs), rounded to the dtype with
 * Math.fround as storing into a Float32Array would, with add/sub/mul/div/neg written inline. Values that are the
 * same for every element (scalar inputs, constants, steps of those) are computed once before the loop; reduced
 * outputs keep reduceAll's four running sums (the loop is unrolled by four). So the loop computes what the eager
 * kernels do, element for element and bit for bit (test/fuse.test.ts checks every op against its loop), in one
 * pass with nothing stored but the outputs.
 *
 * Where `new Function` is refused (a page whose Content-Security-Policy forbids 'unsafe-eval'), programs run on
 * block-program.ts instead: the same results, op by op on cached blocks.
 */
import type { TypedArray } from '../ndarray/dtype.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import { type Program, isScalarSlot, materialise, runProgram } from './block-program.js';

/** The generated loop: inputs, written outputs (null for reduced ones), and returns the reduced outputs' sums. */
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
export function runFused(program: Program, inputs: readonly TypedArray[], written: ReadonlyArray<TypedArray | null>): number[] {
  let loop = loops.get(program);
  if (loop === undefined) {
    loop = generatedCodeAllowed ? generateLoop(program) : null;
    loops.set(program, loop);
  }
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

/** Generates the loop of `program`, or returns null where the host refuses generated code. */
export function generateLoop(program: Program): CompiledLoop | null {
  const { slots, steps, outputs, dtype } = program;
  const round = dtype === 'float32' ? (e: string): string => `F(${e})` : (e: string): string => e;
  const kernels: Array<(...xs: number[]) => number> = [];
  const hoisted: string[] = [];
  const body: string[] = [];
  // Inputs read per element; scalars and constants once.
  slots.forEach((spec, s) => {
    if (spec.kind === 'full' || spec.kind === 'partial') body.push(`const v${s} = I${spec.input}[i];`);
    else if (spec.kind === 'scalar') hoisted.push(`const v${s} = I${spec.input}[0];`);
    else if (spec.kind === 'const') hoisted.push(`const v${s} = ${literal(spec.value)};`);
  });
  for (const st of steps) {
    const a = `v${st.a}`;
    let expr: string;
    if (st.b < 0) {
      const k = st.kernel as UnaryKernel;
      if (k.name === 'neg') expr = `-${a}`;
      else {
        kernels.push((dtype === 'float32' && k.float32) || k.scalar);
        expr = `K${kernels.length - 1}(${a})`;
      }
    } else {
      const k = st.kernel as BinaryKernel;
      const inline = INLINE_BINARY[k.name];
      if (inline !== undefined) expr = inline(a, `v${st.b}`);
      else {
        kernels.push(k.scalar);
        expr = `K${kernels.length - 1}(${a}, v${st.b})`;
      }
    }
    (isScalarSlot(slots[st.out]) ? hoisted : body).push(`const v${st.out} = ${round(expr)};`);
  }
  const reduced = outputs.flatMap((o, k) => (o.reduce ? [k] : []));
  const writes = outputs.flatMap((o, k) => (o.reduce ? [] : [`W${k}[i] = v${o.slot};`]));
  const element = (lane: number): string =>
    `{ ${body.join(' ')} ${writes.join(' ')} ${reduced.map((k) => `s${k}_${lane} += v${outputs[k].slot};`).join(' ')} }`;
  const source = [
    `'use strict';`,
    `return function fusedLoop(n, I, W) {`,
    ...slots.flatMap((spec) =>
      spec.kind === 'full' || spec.kind === 'partial' || spec.kind === 'scalar' ? [`const I${spec.input} = I[${spec.input}];`] : [],
    ),
    ...outputs.flatMap((o, k) => (o.reduce ? [`let s${k}_0 = 0, s${k}_1 = 0, s${k}_2 = 0, s${k}_3 = 0;`] : [`const W${k} = W[${k}];`])),
    ...hoisted,
    `const n4 = n - (n % 4);`,
    `let i = 0;`,
    `for (; i < n4; i += 4) {`,
    `{ ${element(0)} i++; ${element(1)} i++; ${element(2)} i++; ${element(3)} i -= 3; }`,
    `}`,
    `for (; i < n; i++) ${element(0)}`,
    `return [${reduced.map((k) => `s${k}_0 + s${k}_1 + (s${k}_2 + s${k}_3)`).join(', ')}];`,
    `};`,
  ].join('\n');
  const params = ['F', ...kernels.map((_, k) => `K${k}`)];
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of this file (see its header)
    const make = new Function(...params, source) as (
      ...fns: unknown[]
    ) => (n: number, I: readonly TypedArray[], W: ReadonlyArray<TypedArray | null>) => number[];
    const loop = make(Math.fround, ...kernels);
    return (n, inputs, written) => spreadReduced(outputs.length, reduced, loop(n, inputs, written));
  } catch {
    return null;
  }
}

/** The loop returns the reduced outputs' sums only; this places them at their output indices. */
function spreadReduced(count: number, reduced: readonly number[], sums: readonly number[]): number[] {
  const out = new Array<number>(count).fill(0);
  reduced.forEach((k, j) => (out[k] = sums[j]));
  return out;
}

function literal(v: number): string {
  return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : String(v);
}
