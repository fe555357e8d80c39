// asin: the standard proof of op-cases.ts against closed forms written without Math.asin, TF.js's tf.asin, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('asin');

const POINTS = [1e-10, -1e-10, 3e-13, -2.5e-17, 1e-300];

describe('asin', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.asin(),
      (x) => tf.asin(x),
      [{ shape: [3, 4], range: [-0.95, 0.95] }],
    );
  });
  it('keeps every digit near 0 (value and derivative against its Maclaurin series, at +-1e-10 and smaller)', () => {
    // The series x + xxx/6 to three terms: the next term is below 1e-40.
    for (const x of POINTS) expect(tensor([x]).asin().item()).toBeAllClose(x + (x * x * x) / 6, { rtol: 2e-16, atol: 0 });
    for (const x of POINTS) {
      const s = scalar(x);
      s.asin().backward({ seed: 1.5 });
      expect(s.grad).toBeAllClose(1.5 * (1 + (x * x) / 2), { rtol: 4e-16, atol: 0 });
    }
  });
});
