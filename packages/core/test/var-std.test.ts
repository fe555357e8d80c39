// var and std (composites: their gradients are mean's, sub's, mul's and sum's rules): values against the
// two-pass closed form and TF.js's tf.moments (the population variance, correction 0), gradcheck in float64 under a
// random upstream gradient, PyTorch's correction semantics, and typed errors.
import * as tf from '@tensorflow/tfjs';
import { TapegradError, type Tensor, tensor } from '@tapegrad/core';
import { expectGradients, reduceOracle, uniform } from './op-harness';
import { expectLikeTfjs } from './tfjs-peer';

const AXES: Array<number | number[] | undefined> = [undefined, 0, 1, -1, [0, 2]];
const varianceOf = (correction: number) => (v: number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - correction);
};

describe('var and std', () => {
  it.each(AXES.map((a) => [a]))(
    'match the two-pass closed form over axis %j, with corrections 1 (default), 0 and 2, keepDims or not',
    (axis) => {
      const x = uniform([2, 3, 4], -2, 2, { seed: 11 });
      for (const correction of [undefined, 0, 2]) {
        for (const keepDims of [false, true]) {
          const expected = reduceOracle(x, axis, keepDims, varianceOf(correction ?? 1));
          const v = x.var(axis, { correction, keepDims });
          expect(v.shape).toEqual(expected.shape);
          expect(Array.from(v.data)).toBeAllClose(expected.data, { rtol: 1e-13, atol: 1e-15 });
          expect(Array.from(x.std(axis, { correction, keepDims }).data)).toBeAllClose(expected.data.map(Math.sqrt), {
            rtol: 1e-13,
            atol: 1e-15,
          });
        }
      }
    },
  );
  it('agree with TF.js moments (population variance, correction 0) in value and gradient', () => {
    for (const axis of [0, 1]) {
      expectLikeTfjs(
        (x) => x.var(axis, { correction: 0 }),
        (x) => tf.moments(x, axis).variance,
        [{ shape: [3, 4], range: [-2, 2] }],
        { seed: axis + 5 },
      );
      expectLikeTfjs(
        (x) => x.std(axis, { correction: 0 }),
        (x) => tf.sqrt(tf.moments(x, axis).variance),
        [{ shape: [3, 4], range: [-2, 2] }],
        {
          seed: axis + 7,
        },
      );
    }
  });
  it.each(AXES.map((a) => [a]))('pass gradcheck and gradgradcheck over axis %j', (axis) => {
    expectGradients((x: Tensor) => x.var(axis), [uniform([2, 3, 4], -2, 2, { seed: 12 })], { secondOrder: true });
    expectGradients((x: Tensor) => x.std(axis, { correction: 0 }), [uniform([2, 3, 4], -2, 2, { seed: 13 })], { secondOrder: true });
  });
  it('give Infinity or NaN where N - correction is 0, as PyTorch (a single sample), and std a NaN gradient at a constant input', () => {
    expect(tensor([3]).var().item()).toBeNaN();
    expect(tensor([3, 5]).var(0, { correction: 2 }).item()).toBe(Infinity);
    const c = tensor([2, 2, 2], { requiresGrad: true });
    c.std().backward();
    expect(Array.from(c.grad!.data).every(Number.isNaN)).toBe(true);
  });
  it('refuse a correction that is not a finite number and a bad axis, naming var', () => {
    expect(() => tensor([1, 2]).var(0, { correction: NaN })).toThrow(TapegradError);
    expect(() => tensor([1, 2]).std(0, { correction: Infinity })).toThrow(/^var: correction is a finite number/);
    expect(() => tensor([1, 2]).var(3)).toThrow(/^var: axis 3 is out of range/);
  });
});
