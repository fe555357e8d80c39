// slice: a box of x; dx = dy placed into zeros of x's shape (padInto, whose own gradient is slice again).
import { ShapeError, tensor, zeros } from '@tapegrad/core';
import { padInto } from './slice';
import { expectGradients, ravel, sizeOf, uniform, unravel } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('slice');
describeOp('padInto');

const CASES: Array<[number[], number[], number[] | undefined, number[], number[]]> = [
  // [shape, begin, size, normalised begin, resulting shape]
  [[5], [1], [3], [1], [3]],
  [
    [4, 5],
    [1, 2],
    [2, 3],
    [1, 2],
    [2, 3],
  ],
  [
    [4, 5],
    [0, 1],
    [2, -1],
    [0, 1],
    [2, 4],
  ],
  [[4, 5], [-2], undefined, [2, 0], [2, 5]],
  [
    [2, 3, 4],
    [1, 0, 1],
    [1, 3, 2],
    [1, 0, 1],
    [1, 3, 2],
  ],
  [
    [2, 3, 4],
    [0, -1, -3],
    [-1, 1, 2],
    [0, 2, 1],
    [2, 1, 2],
  ],
];

describe('slice', () => {
  it.each(CASES)('takes from %j the box at %j of size %j', (shape, begin, size, b, result) => {
    const x = uniform(shape, -1, 1);
    const y = x.slice(begin, size);
    expect(y.shape).toEqual(result);
    for (let flat = 0; flat < sizeOf(result); flat++) {
      const idx = unravel(flat, result).map((v, d) => v + b[d]);
      expect(y.data[flat]).toBe(x.data[ravel(idx, shape)]);
    }
  });
  it.each(CASES)('passes gradcheck on %j at %j size %j', (shape, begin, size) => {
    expectGradients((t) => t.slice(begin, size), [uniform(shape, -1, 1, { seed: 2 })]);
  });
  it('places the upstream gradient into zeros, and adds overlapping slices', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    x.slice([0, 1], [2, 2]).backward(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(x.grad!.toArray()).toEqual([
      [0, 1, 2],
      [0, 3, 4],
    ]);
    x.zeroGrad();
    x.slice([0, 0], [1, 2])
      .sum()
      .add(x.slice([0, 1], [1, 2]).sum())
      .backward();
    expect(x.grad!.toArray()).toEqual([
      [1, 2, 1],
      [0, 0, 0],
    ]);
  });
  it('has padInto as its adjoint, itself differentiable', () => {
    const g = uniform([2, 2], -1, 1, { seed: 3 });
    const p = padInto(g, { begin: [1, 0], size: [3, 3] });
    expect(p.toArray()).toEqual([
      [0, 0, 0],
      [g.data[0], g.data[1], 0],
      [g.data[2], g.data[3], 0],
    ]);
    expectGradients((t) => padInto(t, { begin: [1, 0], size: [3, 3] }), [g], { secondOrder: true });
  });
  it('refuses boxes out of range, naming the op and shape', () => {
    expect(() => zeros([4, 5]).slice([3], [2])).toThrow(ShapeError);
    expect(() => zeros([4, 5]).slice([3], [2])).toThrow('slice: begin [3] size [2] is out of range for shape [4, 5] (axis 0)');
    expect(() => zeros([4]).slice([0, 0])).toThrow('slice: begin has 2 entries for a tensor of rank 1');
    expect(() => zeros([4]).slice([-5])).toThrow(ShapeError);
  });
});
