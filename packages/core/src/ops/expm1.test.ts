// expm1: the standard proof of op-cases.ts against closed forms written without Math.expm1, TF.js's tf.expm1, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('expm1');

const POINTS = [1e-10, -1e-10, 3e-13, -2.5e-17, 1e-300];

describe('expm1', () => {
  it('agrees with TF.js in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.expm1(),
      (x) => tf.expm1(x),
      [{ shape: [3, 4], range: [-3, 3] }],
    );
  });
  it('keeps every digit near 0 (value and derivative against its Maclaurin series, at +-1e-10 and smaller)', () => {
    // The series x + xx/2 + xxx/6 to three terms: the next term is below 1e-40.
    for (const x of POINTS) expect(tensor([x]).expm1().item()).toBeAllClose(x + (x * x) / 2 + (x * x * x) / 6, { rtol: 2e-16, atol: 0 });
    for (const x of POINTS) {
      const s = scalar(x);
      s.expm1().backward({ seed: 1.5 });
      expect(s.grad).toBeAllClose(1.5 * (1 + x + (x * x) / 2), { rtol: 4e-16, atol: 0 });
    }
  });
});
