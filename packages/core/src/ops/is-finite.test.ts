// isNaN, isFinite: against Number.isNaN and Number.isFinite on the special values, TF.js's isNaN/isFinite, the
// dtype, no gradient, and the NaN-safe pattern they exist for (replace the bad entries, keep the good gradients).
import * as tf from '@tensorflow/tfjs';
import { tensor, where } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('isNaN');
describeOp('isFinite');

const VALUES = [0, -0, 1.5, -1e308, 5e-324, Infinity, -Infinity, NaN];

describe('isNaN and isFinite', () => {
  it("agree with Number.isNaN and Number.isFinite on the special values, and with TF.js's isNaN and isFinite", () => {
    const x = tensor(VALUES);
    expect(Array.from(x.isNaN().data)).toEqual(VALUES.map((v) => (Number.isNaN(v) ? 1 : 0)));
    expect(Array.from(x.isFinite().data)).toEqual(VALUES.map((v) => (Number.isFinite(v) ? 1 : 0)));
    const t = tf.tensor1d(VALUES, 'float32');
    expect(Array.from(tensor(Float32Array.from(VALUES)).isNaN().data)).toEqual(Array.from(tf.isNaN(t).dataSync()));
    expect(Array.from(tensor(Float32Array.from(VALUES)).isFinite().data)).toEqual(Array.from(tf.isFinite(t).dataSync()));
    t.dispose();
  });
  it('keep the dtype (an int32 tensor is all finite) and never require grad', () => {
    const i = tensor([1, -2], { dtype: 'int32' });
    expect([i.isFinite().dtype, Array.from(i.isFinite().data), Array.from(i.isNaN().data)]).toEqual(['int32', [1, 1], [0, 0]]);
    expect(tensor([1], { requiresGrad: true }).isNaN().requiresGrad).toBe(false);
  });
  it('mask out non-finite entries: the finite ones keep their gradient, under a random upstream gradient', () => {
    const x = tensor([2, Infinity, -4, NaN], { requiresGrad: true });
    const y = where(x.isFinite(), x, 0).mul(3);
    expect(Array.from(y.data)).toEqual([6, 0, -12, 0]);
    y.backward(tensor([0.5, 3, -2, 1]));
    expect(Array.from(x.grad!.data)).toEqual([1.5, 0, -6, 0]);
  });
});
