// atan2: the standard proof of op-cases.ts against the half-angle closed form, TF.js's tf.atan2, every quadrant and axis.
import * as tf from '@tensorflow/tfjs';
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('atan2');

describe('atan2', () => {
  it('agrees with TF.js in value and gradient, in all four quadrants and broadcasting', () => {
    expectLikeTfjs(
      (a, b) => a.atan2(b),
      (a, b) => tf.atan2(a, b),
      [
        { shape: [3, 4], range: [-2, 2] },
        { shape: [4], range: [-2, 2] },
      ],
    );
  });
  it('gives the angle of (b, a) on the axes and at the quadrant corners', () => {
    const a = tensor([0, 1, 0, -1, 1, 1, -1, -1]);
    const b = tensor([1, 0, -1, 0, 1, -1, -1, 1]);
    const pi = Math.PI;
    expect(Array.from(a.atan2(b).data)).toBeAllClose([0, pi / 2, pi, -pi / 2, pi / 4, (3 * pi) / 4, (-3 * pi) / 4, -pi / 4], {
      rtol: 1e-16,
      atol: 0,
    });
  });
  it('has a NaN gradient at the origin, where no direction is preferred (as PyTorch)', () => {
    const a = scalar(0);
    const b = scalar(0);
    a.atan2(b).backward();
    expect([a.grad, b.grad]).toEqual([NaN, NaN]);
  });
});
