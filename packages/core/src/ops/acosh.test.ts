// acosh: the standard proof of op-cases.ts against closed forms written without Math.acosh, TF.js's tf.acosh.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('acosh');

describeElementary('acosh', (x) => tf.acosh(x), [1.05, 4]);
