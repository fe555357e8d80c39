// acos: the standard proof of op-cases.ts against closed forms written without Math.acos, TF.js's tf.acos.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('acos');

describe('acos', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.acos(),
      (x) => tf.acos(x),
      [{ shape: [3, 4], range: [-0.95, 0.95] }],
    );
  });
});
