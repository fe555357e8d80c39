// cumsum: gradcheck and its tangent through op-cases.ts, values by an explicit running sum, TF.js's tf.cumsum
// (forward and reverse) in value and gradient, and a typed error for a bad axis.
import * as tf from '@tensorflow/tfjs';
import { ShapeError, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('cumsum');

describe('cumsum', () => {
  it('is the running sum along the axis, from either end', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.cumsum(1).toArray()).toEqual([
      [1, 3, 6],
      [4, 9, 15],
    ]);
    expect(x.cumsum(0).toArray()).toEqual([
      [1, 2, 3],
      [5, 7, 9],
    ]);
    expect(x.cumsum(-1, { reverse: true }).toArray()).toEqual([
      [6, 5, 3],
      [15, 11, 6],
    ]);
  });
  // TF.js 4.22's cumsum gradient fails with a shape error along an axis other than the last of a 3-d value, so
  // TF.js sums along its last axis of a transposed copy there (a transpose's gradient is exact).
  it('agrees with TF.js in value and gradient, along each axis and reversed', () => {
    for (const axis of [0, 1, 2]) {
      const perm = [0, 1, 2].map((d) => (d === axis ? 2 : d === 2 ? axis : d));
      for (const reverse of [false, true])
        expectLikeTfjs(
          (x) => x.cumsum(axis, { reverse }),
          (x) => tf.transpose(tf.cumsum(tf.transpose(x, perm), 2, false, reverse), perm),
          [{ shape: [2, 3, 4], range: [-2, 2] }],
          { seed: axis * 2 + Number(reverse) + 1 },
        );
    }
  });
  it('keeps int32 and float32 values in their dtype', () => {
    expect(tensor([1, 2], { dtype: 'int32' }).cumsum(0).dtype).toBe('int32');
    expect(tensor(new Float32Array([1, 2])).cumsum(0).dtype).toBe('float32');
  });
  it('refuses an axis out of range with a ShapeError naming cumsum', () => {
    expect(() => tensor([1, 2]).cumsum(1)).toThrow(ShapeError);
    expect(() => tensor([1, 2]).cumsum(1)).toThrow(/^cumsum: axis 1 is out of range/);
  });
});
