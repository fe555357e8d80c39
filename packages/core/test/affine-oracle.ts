// A fused normalisation (x, with an optional weight and bias) against its composite in other ops: the values, and
// the gradients of x, weight and bias under a random upstream gradient, each from its own copy of the same seeded
// inputs. Shared by the batch-norm and layer-norm op tests.
import type { Tensor } from '@tapegrad/core';
import { uniform } from './op-harness';

type Affine = (x: Tensor, w: Tensor | null, b: Tensor | null) => Tensor;

/** Runs `fused` and `composite` on x of `shape` (in [-2, 2)) and parameters of `paramShape`, and compares them. */
export function expectFusedMatchesComposite(
  shape: number[],
  paramShape: number[],
  has: { weight: boolean; bias: boolean },
  fused: Affine,
  composite: Affine,
): void {
  const make = () => ({
    x: uniform(shape, -2, 2, { seed: 1 }),
    w: has.weight ? uniform(paramShape, 0.5, 1.5, { seed: 2 }) : null,
    b: has.bias ? uniform(paramShape, -1, 1, { seed: 3 }) : null,
  });
  const dy = uniform(shape, -1, 1, { seed: 4, requiresGrad: false });
  const mine = make();
  const y = fused(mine.x, mine.w, mine.b);
  y.backward(dy);
  const oracle = make();
  const z = composite(oracle.x, oracle.w, oracle.b);
  z.backward(dy);
  expect(Array.from(y.data)).toBeAllClose(Array.from(z.data), { rtol: 1e-13, atol: 1e-14 });
  for (const k of ['x', 'w', 'b'] as const) {
    const [a, o] = [mine[k], oracle[k]];
    if (a && o) expect(Array.from(a.grad!.data)).toBeAllClose(Array.from(o.grad!.data), { rtol: 1e-12, atol: 1e-13 });
  }
}

/** The options object of a fused op's optional weight and bias. */
export const affineOptions = (w: Tensor | null, b: Tensor | null) => ({ ...(w ? { weight: w } : {}), ...(b ? { bias: b } : {}) });
