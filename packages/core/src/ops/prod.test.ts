// prod: the reduction proof of op-cases.ts (every axis choice, keepDims, gradcheck and gradgradcheck), TF.js's
// tf.prod, and PyTorch's rule with zeros, checked exactly against the product of the other elements taken by an
// explicit loop (no division): one zero, two zeros, zeros in some rows only.
import * as tf from '@tensorflow/tfjs';
import { GradError, type Tensor, jvp, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('prod');

/** d prod / dx_i along the last axis of a [rows, n] list: the product of the row's other elements, by a loop. */
const othersByLoop = (rows: number[][]) => rows.map((r) => r.map((_, i) => r.reduce((p, v, j) => (j === i ? p : p * v), 1)));

describe('prod', () => {
  it('agrees with TF.js in value and gradient over each axis', () => {
    for (const axis of [0, 1])
      expectLikeTfjs(
        (x) => x.prod(axis),
        (x) => tf.prod(x, axis),
        [{ shape: [3, 4], range: [0.5, 1.5] }],
        { seed: axis + 1 },
      );
  });
  it('has the exact gradient with zeros (one zero, two zeros, none), under a random upstream gradient', () => {
    const rows = [
      [2, 0, 3, -1.5],
      [0, 4, 0, 2],
      [1.5, -2, 0.5, 3],
      [0, 0.25, 7, -3],
    ];
    const x = tensor(rows, { requiresGrad: true });
    const dy = [0.7, -1.3, 2.1, 0.4];
    const y = x.prod(1);
    expect(y.toArray()).toEqual(rows.map((r) => r.reduce((p, v) => p * v, 1)));
    y.backward(tensor(dy));
    const expected = othersByLoop(rows).flatMap((r, i) => r.map((v) => v * dy[i]));
    expect(Array.from(x.grad!.data)).toBeAllClose(expected, { rtol: 0, atol: 0 });
    expect(expected).toBeAllClose([0, 0.7 * -9, 0, 0, 0, 0, 0, 0, 2.1 * -3, 2.1 * 2.25, 2.1 * -9, 2.1 * -1.5, 0.4 * -5.25, 0, 0, 0], {
      rtol: 0,
      atol: 0,
    });
  });
  it('carries the exact tangent with zeros in forward mode', () => {
    const [y, t] = jvp((x: Tensor) => x.prod(), [tensor([2, 0, 3])], [tensor([0.5, -1, 2])]);
    expect([y.item(), t.item()]).toEqual([0, -1 * 6]);
  });
  it('refuses a second derivative through a zero factor with a GradError naming prod', () => {
    const x = tensor([2, 0, 3], { requiresGrad: true });
    expect(() => x.prod().backward({ createGraph: true })).toThrow(GradError);
    expect(() => x.prod().backward({ createGraph: true })).toThrow(/^prod: a second derivative/);
  });
  it('keeps int32 values int32, and the product of no elements is 1', () => {
    const i = tensor([[2, -3, 4]], { dtype: 'int32' });
    expect([i.prod().dtype, i.prod().item()]).toEqual(['int32', -24]);
    expect(
      tensor([[1, 2, 3]])
        .prod(0)
        .toArray(),
    ).toEqual([1, 2, 3]);
    expect(
      tensor([], { shape: [0, 2] })
        .prod(0)
        .toArray(),
    ).toEqual([1, 1]);
  });
  it('refuses an axis out of range, naming prod', () => {
    expect(() => tensor([1, 2]).prod(1)).toThrow(/^prod: axis 1 is out of range/);
  });
});
