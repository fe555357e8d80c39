// logSoftmax: the fused op against its composite x - logSumExp(x) (the oracle), closed forms for large float32
// logits, TensorFlow.js, and gradcheck / gradgradcheck.
import * as tf from '@tensorflow/tfjs';
import { tensor } from '@tapegrad/core';
import { INFINITE_LOGITS, WIDE_LOGITS, describeAxisOp } from '../../test/fused-oracle';
import { describeOp } from '../../test/op-cases';

describeOp('logSoftmax');

describe('logSoftmax', () => {
  describeAxisOp({
    name: 'logSoftmax',
    formula: 'x - logSumExp(x)',
    fused: (x, axis) => x.logSoftmax(axis),
    // The composite the fused op replaced: exact in float64 for moderate logits.
    composite: (x, axis) => x.sub(x.logSumExp(axis, true)),
    seed: 23,
    upstreamSeed: 6,
    atol: 1e-14,
  });

  it('is exact for float32 logits of magnitude 1e7 (the composite gave [-1, -1] for [1e7, 1e7])', () => {
    expect(Array.from(tensor(new Float32Array([1e7, 1e7])).logSoftmax().data)).toEqual([-Math.LN2, -Math.LN2].map(Math.fround));
    // [1e7, 1e7 + 1]: logSoftmax = [0, 1] - log(1 + e), rounded once to float32.
    const l = Math.log(1 + Math.E);
    const y = tensor(new Float32Array([1e7, 1e7 + 1])).logSoftmax();
    expect(Array.from(y.data)).toEqual([Math.fround(-l), Math.fround(1 - l)]);
  });

  it('agrees with TensorFlow.js on float32 logits from 1e-3 to 1e7', async () => {
    await tf.setBackend('cpu');
    const theirs = tf.tidy(() => Array.from(tf.logSoftmax(tf.tensor2d(WIDE_LOGITS, [3, 4])).dataSync()));
    const ours = tensor(Float32Array.from(WIDE_LOGITS), { shape: [3, 4] }).logSoftmax();
    expect(Array.from(ours.data)).toBeAllClose(theirs, { rtol: 1e-6, atol: 1e-6 });
  });

  it('gives PyTorch results for infinite logits: -Infinity stays -Infinity, an all -Infinity slice is NaN', () => {
    const y = tensor(INFINITE_LOGITS).logSoftmax();
    expect(y.toArray()).toEqual([
      [-Math.LN2, -Infinity, -Math.LN2],
      [NaN, NaN, NaN],
      [NaN, -Infinity, -Infinity],
    ]);
  });

  it('names logSoftmax in its errors (not the logSumExp it was built on)', () => {
    expect(() => tensor([1, 2]).logSoftmax(-2)).toThrow('logSoftmax: axis -2 is out of range for a value of rank 1');
  });
});
