// atan: the standard proof of op-cases.ts against closed forms written without Math.atan, TF.js's tf.atan, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('atan');

const POINTS = [1e-10, -1e-10, 3e-13, -2.5e-17, 1e-300];

describe('atan', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.atan(),
      (x) => tf.atan(x),
      [{ shape: [3, 4], range: [-4, 4] }],
    );
  });
  it('keeps every digit near 0 (value and derivative against its Maclaurin series, at +-1e-10 and smaller)', () => {
    // The series x - xxx/3 to three terms: the next term is below 1e-40.
    for (const x of POINTS) expect(tensor([x]).atan().item()).toBeAllClose(x - (x * x * x) / 3, { rtol: 2e-16, atol: 0 });
    for (const x of POINTS) {
      const s = scalar(x);
      s.atan().backward({ seed: 1.5 });
      expect(s.grad).toBeAllClose(1.5 * (1 - x * x), { rtol: 4e-16, atol: 0 });
    }
  });
});
