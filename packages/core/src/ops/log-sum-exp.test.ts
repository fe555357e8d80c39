// logSumExp over axes: dx = dy softmax(x). softmax and logSoftmax (fused ops of their own) are checked here against the textbook formula.
import { tensor } from '@tapegrad/core';
import { UNARY_SHAPES, expectGradients, expectTensor, reduceOracle, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
describeOp('logSumExp');

/** softmax along `axis` by the textbook formula, for inputs small enough not to overflow. */
function softmaxOracle(x: { shape: readonly number[]; data: ArrayLike<number> }, axis: number): number[] {
  const lseKept = reduceOracle(x, axis, true, lse);
  const rank = x.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  return Array.from(x.data, (v, flat) => {
    let rest = flat;
    const idx = x.shape.map(() => 0);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rest % x.shape[d];
      rest = Math.floor(rest / x.shape[d]);
    }
    idx[a] = 0;
    const k = idx.reduce((acc, i, d) => acc * lseKept.shape[d] + i, 0);
    return Math.exp(v - lseKept.data[k]);
  });
}

const SOFTMAX_CASES: Array<[readonly number[], number]> = [
  [[5], 0],
  [[2, 3], -1],
  [[2, 3], 0],
  [[2, 3, 4], 1],
  [[2, 3, 4], -3],
];

describe('softmax and logSoftmax', () => {
  it.each(SOFTMAX_CASES)('match exp(x) / sum exp(x) on shape %j along axis %p', (shape, axis) => {
    const x = uniform(shape, -3, 3, { seed: 7 });
    const p = softmaxOracle(x, axis);
    expectTensor(x.softmax(axis), { shape, data: p }, 1e-12, 1e-15);
    expectTensor(x.logSoftmax(axis), { shape, data: p.map(Math.log) }, 1e-12, 1e-14);
  });
  it.each(SOFTMAX_CASES)('pass gradcheck and gradgradcheck on shape %j along axis %p', (shape, axis) => {
    expectGradients((t) => t.softmax(axis), [uniform(shape, -3, 3, { seed: 8 })], { secondOrder: true });
    expectGradients((t) => t.logSoftmax(axis), [uniform(shape, -3, 3, { seed: 9 })], { secondOrder: true });
  });
  it('default to the last axis', () => {
    const x = uniform([2, 3], -1, 1, { seed: 10 });
    expect(Array.from(x.softmax().data)).toEqual(Array.from(x.softmax(1).data));
  });
  it('has the closed-form gradient dx = dy - softmax(x) sum(dy) for logSoftmax', () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    const dy = [0.3, -0.7, 1.1];
    x.logSoftmax().backward(tensor(dy));
    const p = softmaxOracle(x, 0);
    const s = dy.reduce((a, b) => a + b, 0);
    expect(Array.from(x.grad!.data)).toBeAllClose(
      dy.map((d, i) => d - p[i] * s),
      { rtol: 1e-12 },
    );
  });
});

describe('logSumExp of every shape case', () => {
  it.each(UNARY_SHAPES)('dx = dy softmax(x) over all axes of shape %j', (shape) => {
    const x = uniform(shape, -2, 2, { seed: 11 });
    x.logSumExp().mul(2.5).backward();
    const flat = { shape: [x.size], data: x.data };
    expect(Array.from(x.grad!.data)).toBeAllClose(
      softmaxOracle(flat, 0).map((p) => 2.5 * p),
      { rtol: 1e-12 },
    );
  });
});
