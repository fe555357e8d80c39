// log1p: the standard proof of op-cases.ts against closed forms written without Math.log1p, TF.js's tf.log1p, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('log1p');

const POINTS = [1e-10, -1e-10, 3e-13, -2.5e-17, 1e-300];

describe('log1p', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.log1p(),
      (x) => tf.log1p(x),
      [{ shape: [3, 4], range: [-0.9, 3] }],
    );
  });
  it('keeps every digit near 0 (value and derivative against its Maclaurin series, at +-1e-10 and smaller)', () => {
    // The series x - xx/2 + xxx/3 to three terms: the next term is below 1e-40.
    for (const x of POINTS) expect(tensor([x]).log1p().item()).toBeAllClose(x - (x * x) / 2 + (x * x * x) / 3, { rtol: 2e-16, atol: 0 });
    for (const x of POINTS) {
      const s = scalar(x);
      s.log1p().backward({ seed: 1.5 });
      expect(s.grad).toBeAllClose(1.5 * (1 - x + x * x), { rtol: 4e-16, atol: 0 });
    }
  });
});
