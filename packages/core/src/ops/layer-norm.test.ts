// layerNorm: the fused op against its composite (mean, biased variance, sqrt, affine) in values and in the gradients
// of x, weight and bias, over one and two normalised axes, with and without the affine parameters; against TF.js
// (layer norm written with tf.moments); gradcheck and gradgradcheck (the recorded form of the rule); float32 rows with
// a large common offset; constant rows; typed errors.
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tapegrad/core';
import { DTypeError, ShapeError, TapegradError, layerNorm, randn, tensor, zeros } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { affineOptions, expectFusedMatchesComposite } from '../../test/fused-oracle';
import { expectGradients, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('layerNorm');

beforeAll(useTfCpu);

/** The composite layer norm in other ops: the fused op's oracle. */
function composite(x: Tensor, axes: number[], w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const centred = x.sub(x.mean(axes, true));
  let y = centred.div(centred.square().mean(axes, true).add(eps).sqrt());
  if (w) y = y.mul(w);
  if (b) y = y.add(b);
  return y;
}

describe('layerNorm against its composite', () => {
  it.each([
    ['one axis, weight and bias', [4, 6], [6], true, true],
    ['two axes, weight and bias', [2, 3, 4], [3, 4], true, true],
    ['weight only', [3, 5], [5], true, false],
    ['bias only', [3, 5], [5], false, true],
    ['no affine parameters', [2, 2, 5], [5], false, false],
    ['the whole tensor', [3, 4], [3, 4], true, true],
  ] as Array<[string, number[], number[], boolean, boolean]>)('%s: values and every gradient', (_name, shape, norm, hasW, hasB) => {
    const axes = norm.map((_, i) => shape.length - norm.length + i);
    expectFusedMatchesComposite(
      shape,
      norm,
      { weight: hasW, bias: hasB },
      (x, w, b) => layerNorm(x, norm, affineOptions(w, b)),
      (x, w, b) => composite(x, axes, w, b),
    );
  });

  it('passes gradcheck and gradgradcheck through x, weight and bias, with a small eps', () => {
    expectGradients(
      (x, w, b) => layerNorm(x, [3], { weight: w, bias: b, eps: 1e-3 }).sin(),
      [uniform([2, 2, 3], -2, 2, { seed: 5 }), uniform([3], 0.5, 1.5, { seed: 6 }), uniform([3], -1, 1, { seed: 7 })],
      { secondOrder: true },
    );
  });

  it('normalises float32 rows with a large common offset as float64 does (statistics in double)', () => {
    const base = uniform([4, 64], -1, 1, { seed: 8, requiresGrad: false }).add(1e4);
    const f32 = layerNorm(base.cast('float32'), 64);
    const f64 = layerNorm(base.cast('float32').cast('float64'), 64);
    expect(f32.dtype).toBe('float32');
    expect(Array.from(f32.data)).toBeAllClose(Array.from(f64.data), { rtol: 1e-5, atol: 1e-5 });
  });

  it('maps a constant row to 0 (variance 0, kept finite by eps), with finite gradients', () => {
    const x = tensor([[3, 3, 3]], { requiresGrad: true });
    const y = layerNorm(x, 3);
    expect(y.toArray()).toEqual([[0, 0, 0]]);
    y.backward(tensor([[1, -2, 0.5]]));
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
  });

  it('keeps the gradients of float32 weight and bias in float32', () => {
    const x = uniform([3, 4], -1, 1, { seed: 9, dtype: 'float32' });
    const w = uniform([4], 0.5, 1.5, { seed: 10, dtype: 'float32' });
    const b = uniform([4], -1, 1, { seed: 11, dtype: 'float32' });
    layerNorm(x, 4, { weight: w, bias: b }).sum().backward();
    expect([x.grad!.dtype, w.grad!.dtype, b.grad!.dtype]).toEqual(['float32', 'float32', 'float32']);
  });
});

describe('layerNorm against TF.js (tf.moments), values and gradients of x, weight and bias', () => {
  it.each([
    [[3, 8], [8]],
    [[2, 3, 5], [5]],
    [
      [2, 3, 4],
      [3, 4],
    ],
  ])('input %j over %j', (shape, norm) => {
    const axes = norm.map((_, i) => shape.length - norm.length + i);
    expectSameAsTf(
      [shape, norm, norm],
      (x, w, b) => layerNorm(x, norm, { weight: w, bias: b }),
      (x, w, b) => {
        const { mean, variance } = tf.moments(x, axes, true);
        return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), w), b);
      },
      { rtol: 1e-3, atol: 1e-4 },
    );
  });
});

describe('layerNorm refuses bad input with typed errors', () => {
  const x = randn([2, 3, 4]);
  it.each([
    [
      'a normalizedShape that is not trailing',
      () => layerNorm(x, [3]),
      ShapeError,
      /normalizedShape \[3\] is not the trailing shape of input \[2, 3, 4\]/,
    ],
    ['a normalizedShape longer than the input', () => layerNorm(randn([4]), [2, 4]), ShapeError, /is not the trailing shape/],
    ['an empty normalizedShape', () => layerNorm(x, []), ShapeError, /normalizedShape \[\] is not the trailing shape/],
    ['a fractional size', () => layerNorm(x, 4.5), ShapeError, /normalizedShape must be a positive size or a list of them; got 4.5/],
    [
      'a weight of the wrong shape',
      () => layerNorm(x, 4, { weight: randn([3]) }),
      ShapeError,
      /weight has shape \[3\], not normalizedShape \[4\]/,
    ],
    [
      'a bias of another dtype',
      () => layerNorm(x, 4, { bias: zeros([4], { dtype: 'float32' }) }),
      DTypeError,
      /bias is float32, input is float64/,
    ],
    [
      'a bias that is not a Tensor',
      () => layerNorm(x, 4, { bias: [0, 0, 0, 0] as unknown as Tensor }),
      DTypeError,
      /bias must be a Tensor; got an array/,
    ],
    ['a negative eps', () => layerNorm(x, 4, { eps: -1 }), TapegradError, /eps must be a finite number >= 0; got -1/],
    ['an int32 input', () => layerNorm(tensor([1, 2], { dtype: 'int32' }), 2), DTypeError, /input must be float32 or float64; got int32/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
