// transpose(perm): y[i_perm] = x[i]; dx = dy permuted by the inverse permutation.
import { ShapeError, tensor, zeros } from '@tapegrad/core';
import { expectGradients, ravel, uniform, unravel } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('transpose');

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

const CASES: Array<[number[], number[]]> = [
  ...permutations(3).map((p): [number[], number[]] => [[2, 3, 4], p]),
  [
    [2, 3],
    [1, 0],
  ],
  [
    [2, 3, 1, 2],
    [3, 1, 0, 2],
  ],
  [
    [2, 3, 4],
    [-1, 0, -2],
  ],
];

describe('transpose', () => {
  it.each(CASES)('moves every element of %j under permutation %j', (shape, perm) => {
    const x = uniform(shape, -1, 1);
    const norm = perm.map((p) => (p < 0 ? p + shape.length : p));
    const y = x.transpose(perm);
    expect(y.shape).toEqual(norm.map((p) => shape[p]));
    for (let flat = 0; flat < y.size; flat++) {
      const out = unravel(flat, y.shape);
      const src = new Array<number>(shape.length);
      norm.forEach((p, i) => (src[p] = out[i]));
      expect(y.data[flat]).toBe(x.data[ravel(src, shape)]);
    }
  });
  it.each(CASES)('passes gradcheck on %j under %j', (shape, perm) => {
    expectGradients((t) => t.transpose(perm), [uniform(shape, -1, 1, { seed: 2 })]);
  });
  it('reverses the axes by default (a matrix transpose)', () => {
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
        .transpose()
        .toArray(),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });
  it('refuses a non-permutation, naming the axes and shape', () => {
    expect(() => zeros([2, 3]).transpose([0, 0])).toThrow(ShapeError);
    expect(() => zeros([2, 3]).transpose([0, 0])).toThrow('transpose: [0, 0] is not a permutation of the 2 axes of [2, 3]');
    expect(() => zeros([2, 3]).transpose([0])).toThrow(ShapeError);
    expect(() => zeros([2, 3]).transpose([0, 2])).toThrow(ShapeError);
  });
});
