// gather (np.take / tf.gather) by int32 indices and takeAlongAxis (np.take_along_axis); the gradient is
// scatterAdd, so an index picked twice gets both gradients.
import { DTypeError, Generator, ShapeError, type Tensor, tensor, zeros } from '@tapegrad/core';
import { scatterAdd } from './gather';
import { expectGradients, ravel, uniform, unravel } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';
import { describeVmap } from '../../test/vmap-harness';

describeOp('gather');
describeOp('scatterAdd');

const CASES: Array<[number[], number[], number[], number]> = [
  // [x shape, indices, indices shape, axis]
  [[5], [4, 0, 0, 2], [4], 0],
  [[4, 3], [3, 1, 3], [3], 0],
  [[4, 3], [2, 0, 2, 2, 1], [5], 1],
  [[4, 3], [-1, 0], [2], -1],
  [[2, 3, 4], [1, 0, 1, 1], [2, 2], 1],
];

describe('gather', () => {
  it.each(CASES)('takes from %j the indices %j (shape %j) along axis %p', (shape, idx, ishape, axis) => {
    const x = uniform(shape, -1, 1);
    const a = axis < 0 ? axis + shape.length : axis;
    const y = x.gather(tensor(idx, { dtype: 'int32', shape: ishape }), axis);
    const outShape = [...shape.slice(0, a), ...ishape, ...shape.slice(a + 1)];
    expect(y.shape).toEqual(outShape);
    for (let flat = 0; flat < y.size; flat++) {
      const o = unravel(flat, outShape);
      const pick = idx[ravel(o.slice(a, a + ishape.length), ishape)];
      const src = [...o.slice(0, a), pick < 0 ? pick + shape[a] : pick, ...o.slice(a + ishape.length)];
      expect(y.data[flat]).toBe(x.data[ravel(src, shape)]);
    }
  });
  it.each(CASES)('passes gradcheck on %j with indices %j', (shape, idx, ishape, axis) => {
    const indices = tensor(idx, { dtype: 'int32', shape: ishape });
    expectGradients((t) => t.gather(indices, axis), [uniform(shape, -1, 1, { seed: 2 })], { secondOrder: true });
  });
  it('adds up the gradients of repeated indices', () => {
    const x = tensor([10, 20, 30], { requiresGrad: true });
    const y = x.gather([2, 0, 2, 2]);
    expect(y.toArray()).toEqual([30, 10, 30, 30]);
    y.backward(tensor([1, 2, 3, 4]));
    expect(x.grad!.toArray()).toEqual([2, 0, 8]);
  });
  it('scatterAdd sums slices into zeros (the adjoint of gather)', () => {
    const g = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const s = scatterAdd(g, tensor([1, 1, 0], { dtype: 'int32' }), { axis: 0, size: 3 });
    expect(s.toArray()).toEqual([
      [5, 6],
      [4, 6],
      [0, 0],
    ]);
  });
  it('refuses non-int32 indices and out-of-range indices, naming the op', () => {
    expect(() => zeros([3]).gather(tensor([0, 1]))).toThrow(DTypeError);
    expect(() => zeros([3]).gather(tensor([0, 1]))).toThrow('gather: indices must be int32, got float64');
    expect(() => zeros([3]).gather([-4])).toThrow(ShapeError);
    expect(() => zeros([3, 2]).gather([0, 2], 1)).toThrow('gather: index 2 at position 1 is out of range for an axis of size 2');
  });
});

describe('takeAlongAxis', () => {
  it('picks the logit of each row label, with the gradient at those positions only', () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const labels = tensor([[2], [0]], { dtype: 'int32' });
    const y = logits.takeAlongAxis(labels, 1);
    expect(y.toArray()).toEqual([[3], [4]]);
    y.backward(tensor([[0.5], [-2]]));
    expect(logits.grad!.toArray()).toEqual([
      [0, 0, 0.5],
      [-2, 0, 0],
    ]);
  });
  it.each([
    [
      [3, 4],
      [
        [1, 1, 0, 2],
        [0, 2, 2, 1],
      ],
      [2, 4],
      0,
    ],
    [
      [3, 4],
      [
        [3, 3],
        [0, 1],
        [-1, 2],
      ],
      [3, 2],
      -1,
    ],
  ] as Array<[number[], number[][], number[], number]>)(
    'matches the definition and passes gradcheck on %j with indices %j',
    (shape, idx, ishape, axis) => {
      const x = uniform(shape, -1, 1, { seed: 3 });
      const a = axis < 0 ? axis + shape.length : axis;
      const indices = tensor(idx, { dtype: 'int32' });
      const y = x.takeAlongAxis(indices, axis);
      expect(y.shape).toEqual(ishape);
      for (let flat = 0; flat < y.size; flat++) {
        const o = unravel(flat, ishape);
        const pick = indices.data[flat];
        o[a] = pick < 0 ? pick + shape[a] : pick;
        expect(y.data[flat]).toBe(x.data[ravel(o, shape)]);
      }
      expectGradients((t) => t.takeAlongAxis(indices, axis), [x]);
    },
  );
  it('refuses indices whose shape does not match outside the axis', () => {
    expect(() => zeros([2, 3]).takeAlongAxis(tensor([[0]], { dtype: 'int32' }), 1)).toThrow(
      'takeAlongAxis: indices of shape [1, 1] do not match [2, 3] outside axis 1',
    );
  });
});

/** Random int32 indices into an axis of size `n` (negative ones among them unless `negative` is false), seeded. */
function indicesOf(shape: number[], n: number, seed: number, negative = true): Tensor {
  const g = new Generator(seed);
  const size = shape.reduce((a, d) => a * d, 1);
  return tensor(
    Int32Array.from({ length: size }, () => (negative ? g.int(2 * n) - n : g.int(n))),
    { shape },
  );
}

// The vmap checks of the op cases batch x only; these batch the indices too (alone, or with x or g).
describeVmap({
  name: 'gather with per-sample indices',
  apply: (x, idx) => x.gather(idx, 1),
  sample: (seed) => [uniform([2, 3, 4], -1, 1, { seed }), indicesOf([2, 2], 3, seed)],
  configs: 6,
});
describeVmap({
  name: 'scatterAdd with per-sample indices',
  apply: (g, idx) => scatterAdd(g, idx, { axis: 1, size: 3 }),
  sample: (seed) => [uniform([2, 2, 2, 4], -1, 1, { seed }), indicesOf([2, 2], 3, seed, false)],
  configs: 6,
});
describeVmap({
  name: 'takeAlongAxis with per-sample indices',
  apply: (x, idx) => x.takeAlongAxis(idx, 1),
  sample: (seed) => [uniform([2, 3, 4], -1, 1, { seed }), indicesOf([2, 2, 4], 3, seed)],
  configs: 6,
});
