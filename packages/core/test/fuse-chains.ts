// Random elementwise chains for fuse's tests: the same chain applied eagerly to Tensors and traced by fuse, and the
// check that the fused values and gradients are the eager ones bit for bit (Object.is on every element: NaN, -0
// and rounding included).
import fc from 'fast-check';
import { type Tensor, fuse, tensor, type FuseValue } from '@tapegrad/core';
import { fusableOps } from '../src/fusion/trace';

export type DT = 'float32' | 'float64';

export function sameBits(a: Tensor | null, b: Tensor | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) return false;
  const x = a.raw.data;
  const y = b.raw.data;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

export function describeDiff(a: Tensor | null, b: Tensor | null): string {
  if (a === null || b === null || a.size <= 64) return `${a?.toString() ?? 'null'}\nvs\n${b?.toString() ?? 'null'}`;
  const x = a.raw.data;
  const y = b.raw.data;
  const i = x.findIndex((v, k) => !Object.is(v, y[k]));
  return `element ${i} of ${x.length}: ${x[i]} vs ${y[i]}`;
}

/** One op of a chain: a fusable op name, applied to value `a` (and `b`, or a number) of those made so far. */
export interface ChainStep {
  readonly name: string;
  readonly a: number;
  readonly b: number | { readonly constant: number };
}

export const NAMES = [...fusableOps().keys()];
export const isUnary = (name: string): boolean => fusableOps().get(name)!.definition.kernel.arity === 1;

/** Applies a chain to values (Tensors eagerly, FuseValues traced): the same code drives both paths. */
export function applyChain<V>(steps: readonly ChainStep[], args: readonly V[], sum: boolean): V {
  const values: V[] = [...args];
  for (const s of steps) {
    const a = values[s.a] as unknown as Record<string, (x?: unknown) => V>;
    const b = typeof s.b === 'number' ? values[s.b] : s.b.constant;
    values.push(isUnary(s.name) ? a[s.name]() : a[s.name](b));
  }
  const last = values[values.length - 1] as unknown as { sum(): V };
  return sum ? last.sum() : (last as unknown as V);
}

export const element = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0) },
);

// Arguments: x and y of the full shape [rows, 5], a bias [5], a scalar []. Each op's first operand is a value of the
// full shape (x, y or an earlier result), so every intermediate has the full shape and the chain runs fused.
const FULL = [0, 1];

export const chainArb = fc.integer({ min: 1, max: 7 }).chain((length) =>
  fc.tuple(
    ...Array.from({ length }, (_, i) =>
      fc.record({
        name: fc.constantFrom(...NAMES),
        a: fc.constantFrom(...FULL, ...Array.from({ length: i }, (_, k) => 4 + k)),
        b: fc.oneof(fc.integer({ min: 0, max: 3 + i }), fc.record({ constant: fc.constantFrom(2, -0.5, 0.3, 1e-3) })),
      }),
    ),
  ),
);

/** Fifteen values per argument: the first fifteen elements as given, later ones scaled by 1 + k/16 (k < 11) per repeat. */
function tiled(values: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, j) => values[j % 15] * (1 + (Math.floor(j / 15) % 11) / 16));
}

export function makeArgs(values: number[][], dtype: DT, requiresGrad: boolean[], rows = 3): Tensor[] {
  const shapes = [[rows, 5], [rows, 5], [5], []];
  return shapes.map((shape, i) => {
    const data = tiled(
      values[i],
      shape.reduce((n, d) => n * d, 1),
    );
    return tensor(data, { shape, dtype, requiresGrad: requiresGrad[i] });
  });
}

/**
 * Runs `steps` fused and eagerly on the same arguments of `rows` rows (x requires grad), under the upstream gradient
 * made from values[4]; throws, describing the difference, unless values and every gradient have the same bits.
 */
export function expectChainFusedAsEager(
  steps: readonly ChainStep[],
  dtype: DT,
  sum: boolean,
  values: number[][],
  requiresGrad: boolean[],
  rows = 3,
): void {
  requiresGrad[0] = true;
  const fused = fuse((...a: FuseValue[]) => applyChain(steps, a, sum));
  const eagerArgs = makeArgs(values, dtype, requiresGrad, rows);
  const fusedArgs = makeArgs(values, dtype, requiresGrad, rows);
  const eager = applyChain(steps, eagerArgs, sum);
  const out = fused(...fusedArgs);
  if (fused.lastUnfusedReason !== null) throw new Error(`ran unfused: ${fused.lastUnfusedReason}`);
  if (!sameBits(out, eager)) throw new Error(`values differ:\n${describeDiff(out, eager)}`);
  if (!eager.requiresGrad) return;
  const upstream = sum ? tensor(values[4][0] || 0.7, { dtype }) : makeArgs([values[4], [], [], [0]], dtype, [false], rows)[0];
  eager.backward(upstream);
  out.backward(upstream);
  for (let i = 0; i < 4; i++) {
    if (!sameBits(fusedArgs[i].grad, eagerArgs[i].grad))
      throw new Error(`gradient of argument ${i} differs:\n${describeDiff(fusedArgs[i].grad, eagerArgs[i].grad)}`);
  }
}

/** fast-check: random chains, dtypes, final sums, values and requiresGrad flags on `rows` rows, fused as eager. */
export function checkRandomChains(rows: number, numRuns: number): void {
  fc.assert(
    fc.property(
      chainArb,
      fc.constantFrom<DT>('float32', 'float64'),
      fc.boolean(),
      fc.array(fc.array(element, { minLength: 15, maxLength: 15 }), { minLength: 5, maxLength: 5 }),
      fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      (steps, dtype, sum, values, requiresGrad) => expectChainFusedAsEager(steps, dtype, sum, values, requiresGrad, rows),
    ),
    { numRuns },
  );
}
