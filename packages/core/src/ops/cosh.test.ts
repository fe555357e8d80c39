// cosh: the standard proof of op-cases.ts against closed forms written without Math.cosh, TF.js's tf.cosh, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { scalar } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('cosh');

const POINTS = [1e-10, -1e-10, 3e-13, -2.5e-17, 1e-300];

describe('cosh', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.cosh(),
      (x) => tf.cosh(x),
      [{ shape: [3, 4], range: [-3, 3] }],
    );
  });
  it('keeps every digit near 0 (derivative against its Maclaurin series, at +-1e-10 and smaller)', () => {
    for (const x of POINTS) {
      const s = scalar(x);
      s.cosh().backward({ seed: 1.5 });
      expect(s.grad).toBeAllClose(1.5 * (x + (x * x * x) / 6), { rtol: 4e-16, atol: 0 });
    }
  });
});
