// Fused ops against the composites they replace (the oracle, in other ops), in value and gradient under a random
// upstream gradient, each side from its own copy of the same seeded inputs: the softmax family along an axis, and
// the normalisations with an optional weight and bias.
import type { Tensor } from '@tapegrad/core';
import { type Shape, expectGradients, expectTensor, uniform, upstream } from './op-harness';

/** A fused op along an axis (softmax, logSoftmax) and its composite. */
/** float32 logits from 1e-3 to 1e7 as a [3, 4] tensor's values: where a composite through logSumExp lost digits. */
export const WIDE_LOGITS = [1e7, 1e7 + 2, 1e7 - 3, 0.5, -0.25, 1e-3, -3e6, 2e6, 2e6 + 1, 40, -40, 7];

/** Rows of logits with infinities: a -Infinity among finite ones, all -Infinity, and +Infinity (PyTorch's results are NaN where it meets itself). */
export const INFINITE_LOGITS = [
  [0, -Infinity, 0],
  [-Infinity, -Infinity, -Infinity],
  [Infinity, 1, 2],
];

export interface AxisOpCase {
  readonly name: string;
  /** What the composite computes, for the test titles. */
  readonly formula: string;
  readonly fused: (x: Tensor, axis: number) => Tensor;
  readonly composite: (x: Tensor, axis: number) => Tensor;
  /** x's seed; gradcheck's input takes the next one. */
  readonly seed: number;
  /** The upstream gradient's seed in gradcheck. */
  readonly upstreamSeed: number;
  /** The values' absolute tolerance against the composite. */
  readonly atol: number;
}

const AXIS_CASES: Array<[Shape, number]> = [
  [[5], 0],
  [[2, 3], -1],
  [[2, 3], 0],
  [[2, 3, 4], 1],
  [[3, 1, 2], 1],
];

/** The fused op equals its composite in value and gradient, and passes gradcheck and gradgradcheck, on several shapes and axes. */
export function describeAxisOp(c: AxisOpCase): void {
  it.each(AXIS_CASES)(`equals ${c.formula} in value and gradient on shape %j along axis %p`, (shape, axis) => {
    const x = uniform(shape, -4, 4, { seed: c.seed });
    const x2 = x.detach().setRequiresGrad();
    const dy = upstream(shape);
    const fused = c.fused(x, axis);
    const oracle = c.composite(x2, axis);
    expectTensor(fused, oracle, 1e-13, c.atol);
    fused.backward(dy);
    oracle.backward(dy);
    expectTensor(x.grad!, x2.grad!, 1e-12, 1e-14);
    expect(fused.creator!.op.name).toBe(c.name);
  });

  it.each(AXIS_CASES)('passes gradcheck and gradgradcheck on shape %j along axis %p', (shape, axis) => {
    expectGradients((t) => c.fused(t, axis).mul(upstream(shape, c.upstreamSeed)).sum(), [uniform(shape, -3, 3, { seed: c.seed + 1 })], {
      secondOrder: true,
    });
  });
}

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
