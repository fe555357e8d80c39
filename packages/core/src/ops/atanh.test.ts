// atanh: the standard proof of op-cases.ts against closed forms written without Math.atanh, TF.js's tf.atanh, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('atanh');

// The series x + xxx/3 to three terms (and its derivative): the next term is below 1e-40.
describeElementary('atanh', (x) => tf.atanh(x), [-0.95, 0.95], { value: (x) => x + (x * x * x) / 3, derivative: (x) => 1 + x * x });
