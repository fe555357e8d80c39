// cosh: the standard proof of op-cases.ts against closed forms written without Math.cosh, TF.js's tf.cosh, and points near 0.
import * as tf from '@tensorflow/tfjs';
import { describeOp } from '../../test/op-cases';
import { describeElementary } from '../../test/tfjs-peer';

describeOp('cosh');

// The derivative sinh x near 0: the series x + xxx/6 to three terms, the next term below 1e-40.
describeElementary('cosh', (x) => tf.cosh(x), [-3, 3], { derivative: (x) => x + (x * x * x) / 6 });
