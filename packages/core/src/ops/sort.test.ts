// sort and topk: values and indices against a sort of each line written out in the test (every axis, both
// directions, k from 0 to n); against TF.js's tf.topk (values and indices) and, for the gradient, tf.gather at
// TF.js's own indices; ties and NaN placed exactly (stable; NaN the largest, as PyTorch); the gradient at a tie goes
// to the element whose index is returned; gradcheck, gradgradcheck and forward mode in float64; typed errors.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, ShapeError, type Tensor, jvp, sort, tensor, topk } from '@tapegrad/core';
import { type Shape, distinct, expectGradients, expectTangents, ravel, sizeOf, unravel } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

beforeAll(useTfCpu);

/** The first k of each line along `axis` by a plain array sort of (value, index) pairs: [values, indices]. */
function oracle(x: Tensor, axis: number, k: number, descending: boolean): { shape: number[]; values: number[]; indices: number[] } {
  const shape = x.shape.slice();
  const a = axis < 0 ? axis + shape.length : axis;
  const outShape = shape.map((d, i) => (i === a ? k : d));
  const values = new Array<number>(sizeOf(outShape));
  const indices = new Array<number>(sizeOf(outShape));
  const lines = sizeOf(shape) / shape[a];
  const rest = shape.filter((_, i) => i !== a);
  for (let l = 0; l < lines; l++) {
    const at = unravel(l, rest);
    const pairs = Array.from({ length: shape[a] }, (_, j) => {
      const idx = [...at.slice(0, a), j, ...at.slice(a)];
      return { v: x.data[ravel(idx, shape)], j };
    });
    pairs.sort((p, q) => (descending ? q.v - p.v : p.v - q.v) || p.j - q.j);
    for (let j = 0; j < k; j++) {
      const t = ravel([...at.slice(0, a), j, ...at.slice(a)], outShape);
      values[t] = pairs[j].v;
      indices[t] = pairs[j].j;
    }
  }
  return { shape: outShape, values, indices };
}

function expectPicked([values, indices]: [Tensor, Tensor], expected: ReturnType<typeof oracle>): void {
  expect(values.shape).toEqual(expected.shape);
  expect(indices.dtype).toBe('int32');
  expect(Array.from(values.data)).toEqual(expected.values);
  expect(Array.from(indices.data)).toEqual(expected.indices);
}

const SHAPES: Array<[Shape, number]> = [
  [[7], 0],
  [[4, 6], 1],
  [[4, 6], 0],
  [[2, 3, 5], -1],
  [[2, 3, 5], 1],
  [[2, 3, 5], 0],
];

describe('sort', () => {
  it.each(SHAPES)('sorts each line of %j along axis %i, ascending and descending', (shape, axis) => {
    const x = distinct(shape, 3);
    const n = shape[axis < 0 ? axis + shape.length : axis];
    expectPicked(sort(x, { axis }), oracle(x, axis, n, false));
    expectPicked(sort(x, { axis, descending: true }), oracle(x, axis, n, true));
  });

  it.each(SHAPES)('is also a Tensor method: x.sort() of %j along axis %i', (shape, axis) => {
    const x = distinct(shape, 4);
    const n = shape[axis < 0 ? axis + shape.length : axis];
    expectPicked(x.sort({ axis, descending: true }), oracle(x, axis, n, true));
  });

  it('keeps equal values in index order in both directions, and sorts NaN as the largest value', () => {
    const x = tensor([2, NaN, 1, 2, -Infinity, NaN, 1]);
    const [up, upIdx] = sort(x);
    expect(Array.from(up.data)).toEqual([-Infinity, 1, 1, 2, 2, NaN, NaN]);
    expect(Array.from(upIdx.data)).toEqual([4, 2, 6, 0, 3, 1, 5]);
    const [down, downIdx] = sort(x, { descending: true });
    expect(Array.from(down.data)).toEqual([NaN, NaN, 2, 2, 1, 1, -Infinity]);
    expect(Array.from(downIdx.data)).toEqual([1, 5, 0, 3, 2, 6, 4]);
  });

  it('sends each value gradient back to its original position (a permutation)', () => {
    const x = tensor([0.3, -1, 2], { requiresGrad: true });
    sort(x)[0].backward(tensor([10, 20, 30]));
    expect(Array.from(x.grad!.data)).toEqual([20, 10, 30]);
  });

  it('sorts int32 tensors, and a 0-d tensor as itself', () => {
    const [v, i] = sort(tensor([3, -2, 7, 0], { dtype: 'int32' }), { descending: true });
    expect(v.dtype).toBe('int32');
    expect(Array.from(v.data)).toEqual([7, 3, 0, -2]);
    expect(Array.from(i.data)).toEqual([2, 0, 3, 1]);
    const [s, j] = sort(tensor(4.5));
    expect([s.shape, s.item(), j.shape, j.item()]).toEqual([[], 4.5, [], 0]);
  });

  it('passes gradcheck, gradgradcheck and the forward-mode checks in float64 (values distinct, away from ties)', () => {
    const f = (x: Tensor) => sort(x, { axis: 0, descending: true })[0].mul(x).tanh();
    expectGradients(f, [distinct([4, 3], 5)], { secondOrder: true });
    expectTangents(f, [distinct([4, 3], 5)]);
  });

  it('agrees with TF.js: tf.topk of all n is the descending sort (values and indices)', () => {
    const x = distinct([3, 8], 7);
    const [values, indices] = sort(x, { descending: true });
    const theirs = tf.topk(tf.tensor(Array.from(x.data), [3, 8]), 8);
    expect(Array.from(values.data)).toBeAllClose(Array.from(theirs.values.dataSync()), { rtol: 1e-6, atol: 1e-6 });
    expect(Array.from(indices.data)).toEqual(Array.from(theirs.indices.dataSync()));
  });
});

describe('topk', () => {
  it.each(SHAPES)('picks the k largest and the k smallest of each line of %j along axis %i, for every k', (shape, axis) => {
    const x = distinct(shape, 9);
    const n = shape[axis < 0 ? axis + shape.length : axis];
    for (let k = 0; k <= n; k++) {
      expectPicked(topk(x, k, { axis }), oracle(x, axis, k, true));
      expectPicked(topk(x, k, { axis, largest: false }), oracle(x, axis, k, false));
    }
  });

  it.each(SHAPES)('is also a Tensor method: x.topk(k) of %j along axis %i', (shape, axis) => {
    const x = distinct(shape, 10);
    const n = shape[axis < 0 ? axis + shape.length : axis];
    expectPicked(x.topk(Math.ceil(n / 2), { axis, largest: false }), oracle(x, axis, Math.ceil(n / 2), false));
  });

  it('agrees with TF.js tf.topk on values and indices, ties included (the lower index first)', () => {
    const data = [3, 1, 3, 2, 5, 5, 0, 2, 1, 1, 4, 4];
    const [values, indices] = topk(tensor(data, { shape: [2, 6] }), 4);
    const theirs = tf.topk(tf.tensor(data, [2, 6]), 4);
    expect(Array.from(values.data)).toEqual(Array.from(theirs.values.dataSync()));
    expect(Array.from(indices.data)).toEqual(Array.from(theirs.indices.dataSync()));
  });

  it("agrees with TF.js on values and gradient (TF.js has no topk gradient: tf.gather at TF.js's own indices)", () => {
    expectSameAsTf(
      [[3, 7]],
      (x) => topk(x, 3)[0],
      (x) => {
        // TF.js's indices as plain numbers (off its tape), made flat positions: line * 7 + index.
        const flat = Array.from(tf.topk(x, 3).indices.dataSync(), (j, t) => Math.floor(t / 3) * 7 + j);
        return tf.reshape(tf.gather(tf.reshape(x, [21]), tf.tensor1d(flat, 'int32')), [3, 3]);
      },
    );
  });

  it('gives the gradient at a tie to the element whose index it returns, exactly', () => {
    const x = tensor([1, 3, 3, 2], { requiresGrad: true });
    const [values, indices] = topk(x, 1);
    expect(Array.from(indices.data)).toEqual([1]);
    values.backward(tensor([-2.5]));
    expect(Array.from(x.grad!.data)).toEqual([0, -2.5, 0, 0]);
  });

  it('passes gradcheck, gradgradcheck and the forward-mode checks in float64 on both directions and axes', () => {
    const largest = (x: Tensor) =>
      topk(x, 2, { axis: 0 })[0]
        .mul(x.slice([0, 0], [2, 5]))
        .tanh();
    const smallest = (x: Tensor) => topk(x, 3, { largest: false })[0].mul(-1.3);
    expectGradients(largest, [distinct([4, 5], 11)], { secondOrder: true });
    expectGradients(smallest, [distinct([4, 5], 12)]);
    expectTangents(largest, [distinct([4, 5], 11)]);
  });

  it("carries a tangent at the picked positions (jvp of topk's values is topk's pick of the tangent)", () => {
    const x = tensor([0.5, 2, -1, 3]);
    const [, tangent] = jvp((v: Tensor) => topk(v, 2)[0], [x], [tensor([10, 20, 30, 40])]);
    expect(Array.from(tangent.data)).toEqual([40, 20]);
  });

  it('refuses k out of range, a bad axis, bad options and a non-tensor, naming the op', () => {
    const x = distinct([2, 3]);
    expect(() => topk(x, 4)).toThrow(ShapeError);
    expect(() => topk(x, 4)).toThrow(/topk: k must be an integer from 0 to 3 \(the size of axis 1 of \[2, 3\]\); got 4/);
    expect(() => topk(x, 1.5)).toThrow(/topk: k must be an integer/);
    expect(() => topk(x, -1)).toThrow(ShapeError);
    expect(() => topk(x, 1, { axis: 2 })).toThrow(/topk: axis 2 is out of range for a value of rank 2/);
    expect(() => topk(x, 1, { largest: 'yes' as unknown as boolean })).toThrow(DTypeError);
    expect(() => sort(x, { descending: 1 as unknown as boolean })).toThrow(/sort: descending must be true or false/);
    expect(() => sort(x, { axis: 0.5 })).toThrow(/sort: an axis is an integer/);
    expect(() => sort([3, 1] as unknown as Tensor)).toThrow(/sort: expected a Tensor/);
    expect(() => topk(x, 1, null as unknown as object)).toThrow(/topk: options must be an object/);
  });
});
