// cumprod: gradcheck and gradgradcheck through op-cases.ts, TF.js (which has no cumprod: exp(cumsum(log x)) on
// positive inputs) in value and gradient, and the exact rule with zeros, checked against sums of products taken
// by explicit loops (no division), in reverse and in forward mode.
import * as tf from '@tensorflow/tfjs';
import { GradError, type Tensor, jacfwd, jacrev, jvp, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('cumprod');

/** d(sum_k g_k y_k)/dx_i for y = cumprod(x) of one line: sum over k >= i of g_k times the product of x_j, j <= k, j != i. */
const gradByLoop = (x: number[], g: number[]) =>
  x.map((_, i) => g.reduce((s, gk, k) => (k < i ? s : s + gk * x.slice(0, k + 1).reduce((p, v, j) => (j === i ? p : p * v), 1)), 0));

describe('cumprod', () => {
  it('is the running product along the axis', () => {
    expect(
      tensor([
        [1, 2, 3],
        [0, 5, 6],
      ])
        .cumprod(1)
        .toArray(),
    ).toEqual([
      [1, 2, 6],
      [0, 0, 0],
    ]);
    expect(
      tensor([[2], [3], [4]])
        .cumprod(-2)
        .toArray(),
    ).toEqual([[2], [6], [24]]);
  });
  it('agrees with TF.js exp(cumsum(log x)) on positive inputs, in value and gradient, along each axis', () => {
    // Along the last axis only in TF.js: its cumsum gradient fails along another one (see cumsum.test.ts).
    const last = (x: tf.Tensor) => tf.exp(tf.cumsum(tf.log(x), 1));
    expectLikeTfjs((x) => x.cumprod(1), last, [{ shape: [3, 4], range: [0.5, 1.5] }], { rtol: 1e-4 });
    expectLikeTfjs(
      (x) => x.cumprod(0),
      (x) => tf.transpose(last(tf.transpose(x))),
      [{ shape: [3, 4], range: [0.5, 1.5] }],
      { seed: 2, rtol: 1e-4 },
    );
  });
  it.each([[[2, 0, 3, -1.5, 0.5]], [[0, 4, 0, 2, 3]], [[1.5, -2, 0.5, 3, 0]], [[0, 0.25, 7, -3, 2]]])(
    'has the exact gradient and tangent with zeros in %j, under a random upstream gradient',
    (line) => {
      const g = [0.7, -1.3, 2.1, 0.4, -0.9];
      const x = tensor(line, { requiresGrad: true });
      x.cumprod(0).backward(tensor(g));
      expect(Array.from(x.grad!.data)).toBeAllClose(gradByLoop(line, g), { rtol: 1e-15, atol: 1e-15 });
      // Forward mode: the tangent along g is the Jacobian times g, row k being d y_k / d x.
      const [, t] = jvp((v: Tensor) => v.cumprod(0), [tensor(line)], [tensor(g)]);
      const rows = line.map((_, k) =>
        gradByLoop(
          line,
          line.map((__, j) => (j === k ? 1 : 0)),
        ),
      );
      expect(Array.from(t.data)).toBeAllClose(
        rows.map((r) => r.reduce((s, v, i) => s + v * g[i], 0)),
        { rtol: 1e-15, atol: 1e-15 },
      );
    },
  );
  it('refuses a second derivative through a zero factor with a GradError naming cumprod', () => {
    const x = tensor([2, 0, 3], { requiresGrad: true });
    expect(() => x.cumprod(0).sum().backward({ createGraph: true })).toThrow(GradError);
    expect(() => x.cumprod(0).sum().backward({ createGraph: true })).toThrow(/^cumprod: a second derivative/);
  });
  it('gives the Jacobian by jacrev and jacfwd (vmap over the cotangents or tangents), row k being dy_k/dx', () => {
    const line = [1.5, -0.5, 2, 0.75];
    const rows = line.map((_, k) =>
      gradByLoop(
        line,
        line.map((__, j) => (j === k ? 1 : 0)),
      ),
    );
    for (const jac of [jacrev, jacfwd]) {
      const j = jac((v: Tensor) => v.cumprod(0))(tensor(line));
      expect(j.toArray()).toBeAllClose(rows, { rtol: 1e-14, atol: 1e-15 });
    }
  });
  it('refuses the Jacobian through a zero factor (under vmap the rule divides by x) with a GradError naming cumprod', () => {
    expect(() => jacrev((v: Tensor) => v.cumprod(0))(tensor([2, 0, 3]))).toThrow(/^cumprod: .* zero factor/);
  });
  it('refuses an axis out of range, naming cumprod', () => {
    expect(() => tensor([1, 2]).cumprod(1)).toThrow(/^cumprod: axis 1 is out of range/);
  });
});
