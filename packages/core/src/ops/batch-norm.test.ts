// batchNorm: the fused op against its composite (channel mean, biased variance, sqrt, affine) in values and in the
// gradients of x, weight and bias, on [N, C], [N, C, L] and [N, C, H, W], with and without the affine parameters;
// against TF.js (tf.moments and tf.batchNorm); gradcheck and gradgradcheck (the recorded form of the rule); the running
// statistics against a hand computation of PyTorch's update; evaluation with them; float32 channels with a large
// common offset; vmap (each sample its own statistics); typed errors.
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tapegrad/core';
import { DTypeError, ShapeError, TapegradError, batchNorm, ones, tensor, vmap, zeros } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { affineOptions, expectFusedMatchesComposite } from '../../test/fused-oracle';
import { expectGradients, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('batchNorm');

beforeAll(useTfCpu);

const channelAxes = (rank: number) => Array.from({ length: rank }, (_, i) => i).filter((i) => i !== 1);
const view = (t: Tensor, rank: number) => t.reshape([1, t.shape[0], ...new Array<number>(rank - 2).fill(1)]);

/** The composite batch norm in other ops: the fused op's oracle. */
function composite(x: Tensor, w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const axes = channelAxes(x.rank);
  const centred = x.sub(x.mean(axes, true));
  let y = centred.div(centred.square().mean(axes, true).add(eps).sqrt());
  if (w) y = y.mul(view(w, x.rank));
  if (b) y = y.add(view(b, x.rank));
  return y;
}

describe('batchNorm in training against its composite', () => {
  it.each([
    ['[N, C, H, W], weight and bias', [3, 2, 4, 5], true, true],
    ['[N, C], weight and bias', [6, 3], true, true],
    ['[N, C, L], weight only', [2, 3, 5], true, false],
    ['[N, C, H, W], bias only', [2, 2, 3, 3], false, true],
    ['[N, C, H, W], no affine parameters', [4, 3, 2, 2], false, false],
  ] as Array<[string, number[], boolean, boolean]>)('%s: values and every gradient', (_name, shape, hasW, hasB) => {
    expectFusedMatchesComposite(
      shape,
      [shape[1]],
      { weight: hasW, bias: hasB },
      (x, w, b) => batchNorm(x, { training: true, ...affineOptions(w, b) }),
      composite,
    );
  });

  it('passes gradcheck and gradgradcheck through x, weight and bias, with a small eps', () => {
    expectGradients(
      (x, w, b) => batchNorm(x, { weight: w, bias: b, eps: 1e-3, training: true }).sin(),
      [uniform([3, 2, 2, 3], -2, 2, { seed: 5 }), uniform([2], 0.5, 1.5, { seed: 6 }), uniform([2], -1, 1, { seed: 7 })],
      { secondOrder: true },
    );
  });

  it('normalises float32 channels with a large common offset as float64 does (statistics in double)', () => {
    const base = uniform([8, 2, 4, 4], -1, 1, { seed: 8, requiresGrad: false }).add(1e4);
    const f32 = batchNorm(base.cast('float32'), { training: true });
    const f64 = batchNorm(base.cast('float32').cast('float64'), { training: true });
    expect(f32.dtype).toBe('float32');
    expect(Array.from(f32.data)).toBeAllClose(Array.from(f64.data), { rtol: 1e-5, atol: 1e-5 });
  });

  it('keeps the gradients of float32 weight and bias in float32', () => {
    const x = uniform([4, 3, 2], -1, 1, { seed: 9, dtype: 'float32' });
    const w = uniform([3], 0.5, 1.5, { seed: 10, dtype: 'float32' });
    const b = uniform([3], -1, 1, { seed: 11, dtype: 'float32' });
    batchNorm(x, { weight: w, bias: b, training: true }).square().sum().backward();
    expect([x.grad!.dtype, w.grad!.dtype, b.grad!.dtype]).toEqual(['float32', 'float32', 'float32']);
  });

  it('gives each sample of a vmap its own statistics', () => {
    const xs = uniform([3, 4, 2, 5], -2, 2, { seed: 12, requiresGrad: false });
    const w = uniform([2], 0.5, 1.5, { seed: 13, requiresGrad: false });
    const batched = vmap((x: Tensor) => batchNorm(x, { weight: w, training: true }))(xs);
    for (let i = 0; i < 3; i++) {
      const one = composite(xs.slice([i, 0, 0, 0], [1, -1, -1, -1]).reshape([4, 2, 5]), w, null);
      expect(Array.from(batched.slice([i, 0, 0, 0], [1, -1, -1, -1]).data)).toBeAllClose(Array.from(one.data), {
        rtol: 1e-12,
        atol: 1e-13,
      });
    }
  });
});

describe('batchNorm running statistics (PyTorch: running = (1 - momentum) running + momentum batch, variance unbiased)', () => {
  it('moves them toward the batch by momentum, then normalises with them in evaluation', () => {
    // Channel 0 holds 1, 2, 3, 6 and channel 1 holds 0, 0, 4, 4 (two images of two values each).
    const x = tensor([
      [
        [1, 2],
        [0, 0],
      ],
      [
        [3, 6],
        [4, 4],
      ],
    ]);
    const runningMean = tensor([0.5, -1]);
    const runningVar = tensor([2, 1]);
    batchNorm(x, { runningMean, runningVar, training: true, momentum: 0.25 });
    // Channel 0: mean 3, unbiased variance (4 + 1 + 0 + 9) / 3; channel 1: mean 2, unbiased variance 16 / 3.
    expect(Array.from(runningMean.data)).toBeAllClose([0.75 * 0.5 + 0.25 * 3, 0.75 * -1 + 0.25 * 2], { rtol: 1e-15 });
    expect(Array.from(runningVar.data)).toBeAllClose([0.75 * 2 + (0.25 * 14) / 3, 0.75 * 1 + (0.25 * 16) / 3], { rtol: 1e-15 });
    const weight = tensor([2, 1]);
    const bias = tensor([0, 1]);
    const y = batchNorm(x, { runningMean, runningVar, weight, bias, eps: 0 });
    const [m0, m1] = Array.from(runningMean.data);
    const [s0, s1] = Array.from(runningVar.data).map(Math.sqrt);
    expect(Array.from(y.data)).toBeAllClose(
      [
        (2 * (1 - m0)) / s0,
        (2 * (2 - m0)) / s0,
        (0 - m1) / s1 + 1,
        (0 - m1) / s1 + 1,
        (2 * (3 - m0)) / s0,
        (2 * (6 - m0)) / s0,
        (4 - m1) / s1 + 1,
        (4 - m1) / s1 + 1,
      ],
      { rtol: 1e-14 },
    );
  });

  it('updates float32 running statistics of a float64 input in their own dtype', () => {
    const runningMean = zeros([2], { dtype: 'float32' });
    const runningVar = ones([2], { dtype: 'float32' });
    batchNorm(uniform([5, 2], -1, 1, { seed: 14 }), { runningMean, runningVar, training: true });
    expect([runningMean.dtype, runningVar.dtype]).toEqual(['float32', 'float32']);
    expect(Array.from(runningMean.data).every((v) => v !== 0)).toBe(true);
  });
});

describe('batchNorm against TF.js (tf.moments and tf.batchNorm), values and gradients of x, weight and bias', () => {
  it.each([[[4, 3]], [[2, 3, 4, 5]]])('input %j', (shape) => {
    const axes = channelAxes(shape.length);
    const c = shape[1];
    // TF.js normalises the last axis: channels moved there and back.
    const last = shape.length === 2 ? [0, 1] : [0, 2, 3, 1];
    const back = shape.length === 2 ? [0, 1] : [0, 3, 1, 2];
    expectSameAsTf(
      [shape, [c], [c]],
      (x, w, b) => batchNorm(x, { weight: w, bias: b, training: true }),
      (x, w, b) => {
        const xl = tf.transpose(x, last);
        const { mean, variance } = tf.moments(x, axes, false);
        return tf.transpose(tf.batchNorm(xl, mean, variance, b, w, 1e-5), back);
      },
      { rtol: 1e-3, atol: 1e-4 },
    );
  });
});

describe('batchNorm refuses bad input with typed errors', () => {
  const x = uniform([2, 3, 4], -1, 1, { seed: 15, requiresGrad: false });
  it.each([
    [
      'a weight of the wrong shape',
      () => batchNorm(x, { weight: ones([4]), training: true }),
      ShapeError,
      /weight has shape \[4\], not \[3\] \(the channels of input \[2, 3, 4\]\)/,
    ],
    [
      'a bias of another dtype',
      () => batchNorm(x, { bias: zeros([3], { dtype: 'float32' }), training: true }),
      DTypeError,
      /bias is float32, input is float64/,
    ],
    [
      'a running mean without a running variance',
      () => batchNorm(x, { runningMean: zeros([3]), training: true }),
      TapegradError,
      /runningMean and runningVar together/,
    ],
    [
      'evaluation without running statistics',
      () => batchNorm(x),
      TapegradError,
      /evaluation \(training: false, the default\) needs runningMean and runningVar/,
    ],
    [
      'one value per channel in training',
      () => batchNorm(tensor([[1, 2, 3]]), { training: true }),
      ShapeError,
      /more than one value per channel/,
    ],
    [
      'a rank-1 input',
      () => batchNorm(tensor([1, 2, 3]), { training: true }),
      ShapeError,
      /input must be \[batch, channels, \.\.\.\]; got \[3\]/,
    ],
    ['an int32 input', () => batchNorm(tensor([[1, 2]], { dtype: 'int32' })), DTypeError, /input must be float32 or float64; got int32/],
    [
      'a momentum above 1',
      () => batchNorm(x, { training: true, momentum: 2 }),
      TapegradError,
      /momentum must be a number in \[0, 1\]; got 2/,
    ],
    ['a negative eps', () => batchNorm(x, { training: true, eps: -1 }), TapegradError, /eps must be a finite number >= 0; got -1/],
    [
      'running statistics under vmap',
      () =>
        vmap((s: Tensor) => batchNorm(s, { runningMean: zeros([3]), runningVar: ones([3]), training: true }))(uniform([2, 2, 3, 4], -1, 1)),
      TapegradError,
      /running statistics cannot be updated under vmap/,
    ],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
