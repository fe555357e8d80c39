// flip: gradcheck and its tangent through op-cases.ts, values by index arithmetic, TF.js's tf.reverse in value
// and gradient, and typed errors.
import * as tf from '@tensorflow/tfjs';
import { tensor } from '@tapegrad/core';
import { ravel, unravel, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('flip');

describe('flip', () => {
  it.each([[[0]], [[1]], [[2]], [[0, 2]], [[-1, 0, 1]]])('reverses axes %j of a [2, 3, 4] value, element by element', (axes) => {
    const x = uniform([2, 3, 4], -2, 2, { seed: 3 });
    const shape = [2, 3, 4];
    const norm = axes.map((a) => (a + 3) % 3);
    const y = x.flip(axes);
    for (let i = 0; i < x.size; i++) {
      const idx = unravel(i, shape).map((v, d) => (norm.includes(d) ? shape[d] - 1 - v : v));
      expect(y.data[i]).toBe(x.data[ravel(idx, shape)]);
    }
  });
  it('agrees with TF.js reverse in value and gradient', () => {
    expectLikeTfjs(
      (x) => x.flip([0, 2]),
      (x) => tf.reverse(x, [0, 2]),
      [{ shape: [2, 3, 4], range: [-2, 2] }],
    );
  });
  it('flips every axis when none is named, and leaves a 0-d value as it is', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .flip()
        .toArray(),
    ).toEqual([
      [4, 3],
      [2, 1],
    ]);
    expect(tensor(5).flip().item()).toBe(5);
  });
  it('refuses an axis out of range or repeated, naming flip', () => {
    expect(() => tensor([1, 2]).flip(1)).toThrow(/^flip: axis 1 is out of range/);
    expect(() => tensor([[1, 2]]).flip([1, -1])).toThrow(/^flip: repeated axis/);
  });
});
