// acos: the standard proof of op-cases.ts against closed forms written without Math.acos, TF.js's tf.acos.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('acos');

describeElementary('acos', (x) => tf.acos(x), [-0.95, 0.95]);
