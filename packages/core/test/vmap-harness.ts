/**
 * The vmap check every op's case runs (op-cases.ts): the op under vmap, on a batch of random samples stacked along
 * a random axis of each operand (some operands left unbatched), against the op applied to each sample in a loop and
 * the results stacked along a random output axis; and the same for the gradient, `vmap(grad(...))` against a loop
 * of `grad` calls, which batches the op's backward rules too. Float64 throughout, so the two agree to rounding.
 * No built-in op may fall back to the loop over samples: the fallback's warning fails the check.
 */
import { Generator, type Node, type Tensor, grad, stack, vmap } from '@tapegrad/core';
import { uniform } from './op-harness';

/** One sample's operands, made fresh for each `seed` (values away from the op's kinks and within its domain). */
export type SampleInputs = (seed: number) => Tensor[];

export interface VmapCase {
  readonly name: string;
  readonly apply: (...xs: Tensor[]) => Node;
  readonly sample: SampleInputs;
  /** How many random axis choices to run (default 3). */
  readonly configs?: number;
  /** Operands that are always batched (an in-place op's target: per-sample values cannot go into a shared tensor). */
  readonly batched?: readonly number[];
}

const BATCH = 3;

/** The batch axes and output axis of one random configuration; at least one operand is batched. */
function randomAxes(
  ranks: readonly number[],
  outRank: number,
  g: Generator,
  batched: readonly number[],
): { inAxes: Array<number | null>; outAxes: number } {
  for (;;) {
    // An axis from -(r + 1) to r of a batched value of rank r + 1; null (unbatched) one time in four.
    const inAxes = ranks.map((r, i) => (g.uniform() < 0.25 && !batched.includes(i) ? null : g.int(2 * r + 2) - (r + 1)));
    if (inAxes.some((a) => a !== null)) return { inAxes, outAxes: g.int(2 * outRank + 2) - (outRank + 1) };
  }
}

const positive = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Stacks the per-sample results along `axis` (any sign) of the batched result. */
function stacked(results: readonly Tensor[], axis: number): Tensor {
  return stack(results, positive(axis, results[0].rank + 1));
}

function expectClose(actual: Tensor, expected: Tensor, what: string): void {
  expect({ what, shape: actual.shape }).toEqual({ what, shape: expected.shape });
  expect(Array.from(actual.data)).toBeAllClose(Array.from(expected.data), { rtol: 1e-11, atol: 1e-13 });
}

/** Runs the vmap check of one op (see the file comment). */
export function describeVmap(c: VmapCase): void {
  describe(`${c.name} under vmap`, () => {
    let warn: jest.SpyInstance;
    beforeEach(() => {
      warn = jest.spyOn(console, 'warn');
    });
    afterEach(() => {
      // A built-in op has a batching rule: the loop's warning would name it.
      expect(warn.mock.calls.filter(([m]) => String(m).startsWith('vmap:'))).toEqual([]);
      warn.mockRestore();
    });

    it.each(Array.from({ length: c.configs ?? 3 }, (_, k) => [k]))(
      'matches a loop of calls, and its gradient a loop of grads (random axes, seed %i)',
      (k) => {
        const samples = Array.from({ length: BATCH }, (_, b) => c.sample(100 * k + b).map((x) => x.detach()));
        const arity = samples[0].length;
        const outRank = (c.apply(...samples[0]) as Tensor).rank;
        const g = new Generator(7 + k);
        const { inAxes, outAxes } = randomAxes(
          samples[0].map((x) => x.rank),
          outRank,
          g,
          c.batched ?? [],
        );
        // Unbatched operands take sample 0's value for every sample.
        const operand = (i: number, b: number) => samples[inAxes[i] === null ? 0 : b][i];
        const args = samples[0].map((x, i) =>
          inAxes[i] === null
            ? x
            : stack(
                samples.map((s) => s[i]),
                positive(inAxes[i], x.rank + 1),
              ),
        );
        const perSample = (b: number) => Array.from({ length: arity }, (_, i) => operand(i, b));

        const expected = stacked(
          Array.from({ length: BATCH }, (_, b) => c.apply(...perSample(b)) as Tensor),
          outAxes,
        );
        const actual = vmap((...xs: Tensor[]) => c.apply(...xs) as Tensor, { inAxes, outAxes })(...args);
        expectClose(actual, expected, 'value');

        // The gradient of <apply(...), w> for a fixed random w, with respect to every float operand.
        const floats = samples[0].map((x, i) => (x.dtype === 'int32' ? -1 : i)).filter((i) => i >= 0);
        if (floats.length === 0) return;
        const w = uniform((c.apply(...samples[0]) as Tensor).shape, -1.5, 1.5, { seed: 5 + k, requiresGrad: false });
        const loss = (...xs: Tensor[]) => (c.apply(...xs) as Tensor).mul(w).sum();
        const gradients = grad(loss, { argnums: floats });
        const loop = Array.from({ length: BATCH }, (_, b) => gradients(...perSample(b)));
        // One output axis for every gradient: within the rank of the lowest-rank operand.
        const low = Math.min(...floats.map((i) => samples[0][i].rank));
        const gradAxes = g.int(2 * low + 2) - (low + 1);
        const batched = vmap((...xs: Tensor[]) => gradients(...xs), { inAxes, outAxes: gradAxes })(...args);
        floats.forEach((input, j) =>
          expectClose(
            batched[j],
            stacked(
              loop.map((gs) => gs[j]),
              gradAxes,
            ),
            `gradient of operand ${input}`,
          ),
        );
      },
    );
  });
}
