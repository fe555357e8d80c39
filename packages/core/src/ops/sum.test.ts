// sum over axes: dx = dy broadcast back over the reduced axes. mean is sum / count (a composite).
import { Generator, ShapeError, tensor, zeros } from '@tapegrad/core';
import { describeReduction, expectTensor, reduceOracle, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

const total = (v: number[]) => v.reduce((s, x) => s + x, 0);
describeOp('sum');
describeReduction({ name: 'mean', apply: (x, axis, keepDims) => x.mean(axis, keepDims), combine: (v) => total(v) / v.length });

describe('sum', () => {
  it('broadcasts a random upstream gradient back over the reduced axis', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    x.sum(0).backward(tensor([0.5, -1, 2]));
    expect(x.grad!.toArray()).toEqual([
      [0.5, -1, 2],
      [0.5, -1, 2],
    ]);
  });
  it('refuses a repeated or out-of-range axis, naming the op', () => {
    expect(() => zeros([2, 3]).sum([1, -1])).toThrow(ShapeError);
    expect(() => zeros([2, 3]).sum([1, -1])).toThrow('sum: repeated axis in [1, -1]');
    expect(() => zeros([2, 3]).mean(-3)).toThrow('mean: axis -3 is out of range for a value of rank 2');
  });
});

describe('reductions over random shapes and axis sets', () => {
  const g = new Generator(77);
  const cases = Array.from({ length: 120 }, () => {
    const shape = Array.from({ length: 1 + g.int(4) }, () => 1 + g.int(4));
    const axes = shape
      .map((_, i) => i)
      .filter(() => g.uniform() < 0.5)
      .map((a) => (g.uniform() < 0.5 ? a - shape.length : a));
    return { shape, axes, keepDims: g.uniform() < 0.5 };
  });
  const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
  it('sum, max, min and logSumExp match the grouped closed forms', () => {
    for (const { shape, axes, keepDims } of cases) {
      const x = uniform(shape, -2, 2, { seed: shape.length * 10 + axes.length, requiresGrad: false });
      const axis = axes.length === 0 ? undefined : axes;
      expectTensor(
        x.sum(axis, keepDims),
        reduceOracle(x, axis, keepDims, (v) => v.reduce((s, y) => s + y, 0)),
        1e-13,
        1e-14,
      );
      expectTensor(
        x.max(axis, keepDims),
        reduceOracle(x, axis, keepDims, (v) => Math.max(...v)),
        0,
        0,
      );
      expectTensor(
        x.min(axis, keepDims),
        reduceOracle(x, axis, keepDims, (v) => Math.min(...v)),
        0,
        0,
      );
      expectTensor(x.logSumExp(axis, keepDims), reduceOracle(x, axis, keepDims, lse), 1e-13, 1e-14);
    }
  });
});
