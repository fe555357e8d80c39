/**
 * One op against its TensorFlow.js counterpart (cpu backend, float32): the same seeded inputs through both, the
 * values compared, and the gradients of sum(y * w) for a random weight w (a non-unit upstream gradient), so a rule
 * that forgets its upstream gradient cannot pass.
 */
import * as tf from '@tensorflow/tfjs';
import { Generator, type Tensor, scalar, tensor } from '@tapegrad/core';

export interface PeerInput {
  readonly shape: readonly number[];
  /** Draw the values uniformly from [lo, hi) (rounded to float32, so both libraries see the same numbers)... */
  readonly range?: readonly [number, number];
  /** ...or take these. */
  readonly values?: readonly number[];
  /** Defaults to true; false for an input that gets no gradient (a condition, an index). */
  readonly differentiable?: boolean;
}

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

function valuesOf(input: PeerInput, g: Generator): number[] {
  if (input.values !== undefined) return [...input.values];
  const [lo, hi] = input.range ?? [-2, 2];
  return Array.from({ length: size(input.shape) }, () => Math.fround(lo + (hi - lo) * g.uniform()));
}

/** Expects `ours` (on float64 Tensors) to give TF.js's values and gradients within float32 tolerance. */
export function expectLikeTfjs(
  ours: (...xs: Tensor[]) => Tensor,
  theirs: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: readonly PeerInput[],
  options: { seed?: number; rtol?: number; atol?: number } = {},
): void {
  const g = new Generator(options.seed ?? 7);
  const data = inputs.map((input) => valuesOf(input, g));
  const tolerance = { rtol: options.rtol ?? 2e-5, atol: options.atol ?? 2e-6 };
  const xs = data.map((d, k) =>
    tensor(Float64Array.from(d), { shape: [...inputs[k].shape], requiresGrad: inputs[k].differentiable !== false }),
  );
  const y = ours(...xs);
  const w = Array.from({ length: y.size }, () => 0.5 + g.uniform());
  y.backward(tensor(Float64Array.from(w), { shape: [...y.shape] }));
  const reference = tf.tidy(() => {
    const constants = data.map((d, k) => tf.tensor(d, [...inputs[k].shape], 'float32'));
    const free = inputs.flatMap((input, k) => (input.differentiable === false ? [] : [k]));
    const value = theirs(...constants);
    const grads = tf.grads((...vs: tf.Tensor[]) => {
      const args = constants.slice();
      free.forEach((k, i) => (args[k] = vs[i]));
      return tf.sum(tf.mul(theirs(...args), tf.tensor(w, value.shape, 'float32')));
    })(free.map((k) => constants[k]));
    return { shape: value.shape, value: Array.from(value.dataSync()), grads: grads.map((t) => Array.from(t.dataSync())) };
  });
  expect(y.shape).toEqual(reference.shape);
  expect(Array.from(y.data)).toBeAllClose(reference.value, tolerance);
  let i = 0;
  xs.forEach((x, k) => {
    if (inputs[k].differentiable === false) return;
    expect(Array.from(x.grad!.data)).toBeAllClose(reference.grads[i++], tolerance);
  });
}

/** The elementary functions whose tests share describeElementary. */
export type Elementary = 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh' | 'expm1' | 'log1p';

/** Points near 0 where an elementary function's Maclaurin series to three terms is exact in float64. */
const NEAR_ZERO = [1e-10, -1e-10, 3e-13, -2.5e-17, 1e-300];

/**
 * An elementary function's own tests beside describeOp's: TF.js's function in value and gradient on [3, 4] values
 * drawn from `range`, and, where its Maclaurin series is given, every digit near 0: the value (to 2e-16, when given)
 * and the derivative (a Scalar's backward with seed 1.5, to 4e-16) against the series.
 */
export function describeElementary(
  name: Elementary,
  theirs: (x: tf.Tensor) => tf.Tensor,
  range: readonly [number, number],
  series?: { readonly value?: (x: number) => number; readonly derivative: (x: number) => number },
): void {
  describe(name, () => {
    it('agrees with TF.js in value and gradient', () => {
      expectLikeTfjs((x) => x[name](), theirs, [{ shape: [3, 4], range }]);
    });
    if (series === undefined) return;
    const value = series.value;
    it(`keeps every digit near 0 (${value ? 'value and ' : ''}derivative against its Maclaurin series, at +-1e-10 and smaller)`, () => {
      if (value) for (const x of NEAR_ZERO) expect(tensor([x])[name]().item()).toBeAllClose(value(x), { rtol: 2e-16, atol: 0 });
      for (const x of NEAR_ZERO) {
        const s = scalar(x);
        s[name]().backward({ seed: 1.5 });
        expect(s.grad).toBeAllClose(1.5 * series.derivative(x), { rtol: 4e-16, atol: 0 });
      }
    });
  });
}
