// reshape: same elements in row-major order; dx = dy reshaped back. flatten/squeeze/unsqueeze are reshapes.
import { ShapeError, tensor, zeros } from '@tapegrad/core';
import { expectGradients, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('reshape');

const CASES: Array<[number[], number[], number[]]> = [
  // [from, requested, resulting]
  [
    [2, 3],
    [3, 2],
    [3, 2],
  ],
  [[2, 3], [-1], [6]],
  [
    [2, 3, 4],
    [4, -1],
    [4, 6],
  ],
  [
    [2, 3, 4],
    [2, -1, 2],
    [2, 6, 2],
  ],
  [[6], [1, 2, 1, 3], [1, 2, 1, 3]],
  [[], [1, 1], [1, 1]],
  [[1, 1], [], []],
];

describe('reshape', () => {
  it.each(CASES)('reshapes %j to %j (giving %j) keeping row-major order', (from, to, result) => {
    const x = uniform(from, -1, 1);
    const y = x.reshape(to);
    expect(y.shape).toEqual(result);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
  });
  it.each(CASES)('passes gradcheck from %j to %j', (from, to) => {
    expectGradients((t) => t.reshape(to).mul(t.reshape(to)), [uniform(from, -1, 1, { seed: 2 })]);
  });
  it('flattens, squeezes and unsqueezes', () => {
    const x = zeros([2, 1, 3]);
    expect(x.flatten().shape).toEqual([6]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 1, 3]);
    expect(() => x.squeeze(0)).toThrow('squeeze: axis 0 of shape [2, 1, 3] has size 2, not 1');
  });
  it('refuses sizes that do not match and two unknown axes, naming the shapes', () => {
    expect(() => zeros([2, 3]).reshape([4, -1])).toThrow(ShapeError);
    expect(() => zeros([2, 3]).reshape([4, -1])).toThrow('reshape: cannot reshape [2, 3] (6 elements) into [4, -1]');
    expect(() => zeros([2, 3]).reshape([-1, -1])).toThrow('reshape: cannot reshape [2, 3] (6 elements) into [-1, -1]');
    expect(() => zeros([2, 3]).reshape([7])).toThrow(ShapeError);
  });
  it('passes a random upstream gradient back in the input shape', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    x.reshape([3, 2]).backward(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });
});
