// broadcastTo: repeats along broadcast axes; dx = dy summed over them.
import { ShapeError, tensor, zeros } from '@tapegrad/core';
import { broadcastMap, expectGradients, expectTensor, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('broadcastTo');

const CASES: Array<[number[], number[]]> = [
  [[3], [2, 3]],
  [
    [2, 1],
    [2, 3],
  ],
  [[], [2, 2]],
  [
    [1, 3],
    [4, 2, 3],
  ],
  [
    [2, 1, 3],
    [2, 4, 3],
  ],
];

describe('broadcastTo', () => {
  it.each(CASES)('repeats %j to %j', (from, to) => {
    const x = uniform(from, -1, 1);
    const expected = broadcastMap([x, { shape: to, data: new Float64Array(to.reduce((a, b) => a * b, 1)) }], (v) => v);
    expectTensor(x.broadcastTo(to), expected, 0, 0);
  });
  it.each(CASES)('passes gradcheck from %j to %j', (from, to) => {
    expectGradients((t) => t.broadcastTo(to), [uniform(from, -1, 1, { seed: 2 })]);
  });
  it('sums the upstream gradient over the repeated axes', () => {
    const x = tensor([[1], [2]], { requiresGrad: true });
    x.broadcastTo([2, 3]).backward(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([[6], [15]]);
  });
  it('refuses shapes it cannot broadcast to, naming both', () => {
    expect(() => zeros([2, 3]).broadcastTo([3, 3])).toThrow(ShapeError);
    expect(() => zeros([2, 3]).broadcastTo([3])).toThrow('broadcastTo: shape [2, 3] cannot be broadcast to [3]');
  });
});
