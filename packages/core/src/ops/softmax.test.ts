// softmax: the fused op against its composite exp(x - logSumExp(x)) (the oracle), closed forms for large float32
// logits, TensorFlow.js, and gradcheck / gradgradcheck.
import * as tf from '@tensorflow/tfjs';
import { tensor } from '@tapegrad/core';
import { INFINITE_LOGITS, WIDE_LOGITS, describeAxisOp } from '../../test/fused-oracle';
import { describeOp } from '../../test/op-cases';

describeOp('softmax');

describe('softmax', () => {
  describeAxisOp({
    name: 'softmax',
    formula: 'exp(x - logSumExp(x))',
    fused: (x, axis) => x.softmax(axis),
    // The composite the fused op replaced: exact in float64 for moderate logits.
    composite: (x, axis) => x.sub(x.logSumExp(axis, true)).exp(),
    seed: 21,
    upstreamSeed: 5,
    atol: 1e-15,
  });

  it('keeps the normalisation of float32 logits of magnitude 1e7 (the composite gave [0.368, 0.368])', () => {
    expect(Array.from(tensor(new Float32Array([1e7, 1e7])).softmax().data)).toEqual([0.5, 0.5]);
    // 1e7 and 1e7 + 1 are both float32 integers: softmax = [1, e] / (1 + e), rounded once to float32.
    const y = tensor(new Float32Array([1e7, 1e7 + 1, -1e7])).softmax();
    const e = Math.E;
    expect(Array.from(y.data)).toEqual([Math.fround(1 / (1 + e)), Math.fround(e / (1 + e)), 0]);
    expect(y.dtype).toBe('float32');
  });

  it('agrees with TensorFlow.js on float32 logits from 1e-3 to 1e7 along each axis', async () => {
    await tf.setBackend('cpu');
    for (const axis of [0, 1]) {
      const theirs = tf.tidy(() => {
        const t = tf.tensor2d(WIDE_LOGITS, [3, 4]);
        const moved = axis === 0 ? tf.transpose(t) : t;
        const s = tf.softmax(moved);
        return Array.from((axis === 0 ? tf.transpose(s) : s).dataSync());
      });
      const ours = tensor(Float32Array.from(WIDE_LOGITS), { shape: [3, 4] }).softmax(axis);
      expect(Array.from(ours.data)).toBeAllClose(theirs, { rtol: 1e-6, atol: 1e-7 });
    }
  });

  it('gives PyTorch results for infinite logits: -Infinity gets 0, an all -Infinity slice and +Infinity give NaN', () => {
    const y = tensor(INFINITE_LOGITS).softmax();
    expect(y.toArray()).toEqual([
      [0.5, 0, 0.5],
      [NaN, NaN, NaN],
      [NaN, 0, 0],
    ]);
  });

  it('names softmax in its errors (not the logSumExp it was built on)', () => {
    expect(() => tensor([1, 2]).softmax(1)).toThrow('softmax: axis 1 is out of range for a value of rank 1');
  });
});
