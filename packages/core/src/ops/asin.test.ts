// asin: the standard proof of op-cases.ts against closed forms written without Math.asin, TF.js's tf.asin, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('asin');

// The series x + xxx/6 to three terms (and its derivative): the next term is below 1e-40.
describeElementary('asin', (x) => tf.asin(x), [-0.95, 0.95], { value: (x) => x + (x * x * x) / 6, derivative: (x) => 1 + (x * x) / 2 });
