// log1p: the standard proof of op-cases.ts against closed forms written without Math.log1p, TF.js's tf.log1p, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('log1p');

// The series x - xx/2 + xxx/3 to three terms (and its derivative): the next term is below 1e-40.
describeElementary('log1p', (x) => tf.log1p(x), [-0.9, 3], {
  value: (x) => x - (x * x) / 2 + (x * x * x) / 3,
  derivative: (x) => 1 - x + x * x,
});
