// acosh: the standard proof of op-cases.ts against closed forms written without Math.acosh, TF.js's tf.acosh.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('acosh');

describe('acosh', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.acosh(),
      (x) => tf.acosh(x),
      [{ shape: [3, 4], range: [1.05, 4] }],
    );
  });
});
