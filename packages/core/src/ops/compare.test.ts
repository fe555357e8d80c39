// eq, ne, lt, le, gt, ge: masks checked against JavaScript's own operators (every pair of a grid with ties, NaN,
// infinities and signed zeros, broadcast by the harness's index arithmetic), TF.js's comparisons, the dtype rule,
// and that no gradient or tangent flows through them while `where` routes one around them.
import * as tf from '@tensorflow/tfjs';
import { type Tensor, jvp, scalar, tensor, where } from '@tapegrad/core';
import { broadcastMap, expectTensor } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';
import * as ops from './index';

describeOp('eq');
describeOp('ne');
describeOp('lt');
describeOp('le');
describeOp('gt');
describeOp('ge');

type Name = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
const JS: Record<Name, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};
const TF: Record<Name, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  eq: tf.equal,
  ne: tf.notEqual,
  lt: tf.less,
  le: tf.lessEqual,
  gt: tf.greater,
  ge: tf.greaterEqual,
};
const NAMES = Object.keys(JS) as Name[];
const GRID = [-Infinity, -2, -0, 0, 0.5, 2, Infinity, NaN];
const apply = (name: Name, a: Tensor, b: Tensor | number): Tensor => a[name](b);

describe.each(NAMES)('%s', (name) => {
  it('holds exactly where JavaScript says it does, on every pair of a grid with ties, NaN, infinities and signed zeros', () => {
    const a = tensor(GRID.flatMap((x) => GRID.map(() => x)));
    const b = tensor(GRID.flatMap(() => GRID));
    expect(Array.from(apply(name, a, b).data)).toEqual(GRID.flatMap((x) => GRID.map((y) => (JS[name](x, y) ? 1 : 0))));
  });
  it.each([
    [[2, 3], [3]],
    [
      [2, 1],
      [1, 3],
    ],
    [[], [4]],
  ])('broadcasts %j with %j', (sa, sb) => {
    const a = tensor(
      [1, 2, 2, 3, 0, -1].slice(
        0,
        sa.reduce((n, d) => n * d, 1),
      ),
      { shape: sa },
    );
    const b = tensor(
      [2, 1, 2, 3].slice(
        0,
        sb.reduce((n, d) => n * d, 1),
      ),
      { shape: sb },
    );
    expectTensor(
      apply(name, a, b),
      broadcastMap([a, b], (x, y) => (JS[name](x, y) ? 1 : 0)),
      0,
      0,
    );
  });
  it('agrees with TF.js (which returns bool) on the same broadcast operands', () => {
    const a = [
      [1, 2, 3],
      [3, 2, 1],
    ];
    const b = [2, 2, 1];
    const theirs = TF[name](tf.tensor2d(a), tf.tensor1d(b));
    expect(theirs.dtype).toBe('bool');
    expect(Array.from(apply(name, tensor(a), tensor(b)).data)).toEqual(Array.from(theirs.dataSync()));
    theirs.dispose();
  });
  it("gives the operands' promoted dtype (a plain number adopts the tensor's), and Scalars for Scalars", () => {
    const f32 = tensor(new Float32Array([1, 2]));
    const i32 = tensor([1, 2], { dtype: 'int32' });
    expect([
      apply(name, f32, 1).dtype,
      apply(name, i32, 1).dtype,
      apply(name, i32, f32).dtype,
      apply(name, f32, tensor([1, 2])).dtype,
    ]).toEqual(['float32', 'int32', 'float32', 'float64']);
    const s = ops[name](scalar(2), scalar(2)); // the op itself: Scalars have no comparison methods
    expect(s.value).toBe(JS[name](2, 2) ? 1 : 0);
  });
  it('never requires grad, so backward through a mask is refused and no tangent reaches it', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const m = apply(name, x, x.mul(0.5));
    expect(m.requiresGrad).toBe(false);
    expect(m.creator).toBeNull();
    expect(() => m.sum().backward()).toThrow(/does not require grad/);
    const [, t] = jvp((v: Tensor) => v.mul(apply(name, v, 0)), [x.detach()], [tensor([0.5, -1, 2])]);
    expect(Array.from(t.data)).toEqual([0.5, -1, 2].map((u, i) => u * (JS[name]([1, -2, 3][i], 0) ? 1 : 0)));
  });
  it('refuses operands that do not broadcast, naming the op and the shapes', () => {
    expect(() => apply(name, tensor([1, 2]), tensor([1, 2, 3]))).toThrow(new RegExp(`^${name}: .*\\[2\\].*\\[3\\]`));
  });
});

describe('a comparison as a where condition', () => {
  it('builds leakyRelu, whose gradient under a random upstream gradient is 1 or 0.1', () => {
    const x = tensor([1.5, -2, 0.25, -0.5], { requiresGrad: true });
    const y = where(x.gt(0), x, x.mul(0.1));
    y.backward(tensor([0.3, -1.2, 2, 0.7]));
    expect(Array.from(x.grad!.data)).toBeAllClose([0.3, -0.12, 2, 0.07], { rtol: 1e-15, atol: 0 });
  });
});
