// expm1: the standard proof of op-cases.ts against closed forms written without Math.expm1, TF.js's tf.expm1, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('expm1');

// The series x + xx/2 + xxx/6 to three terms (and its derivative): the next term is below 1e-40.
describeElementary('expm1', (x) => tf.expm1(x), [-3, 3], {
  value: (x) => x + (x * x) / 2 + (x * x * x) / 6,
  derivative: (x) => 1 + x + (x * x) / 2,
});
