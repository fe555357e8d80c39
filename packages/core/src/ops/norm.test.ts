// norm: the reduction proof of op-cases.ts for the 2-norm, TF.js's tf.norm for p = 1, 2, Infinity and 'fro',
// the subgradient 0 at the zero vector for every order (exactly), and typed errors.
import * as tf from '@tensorflow/tfjs';
import { TapegradError, type Tensor, jvp, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { expectLikeTfjs } from '../../test/tfjs-peer';

describeOp('norm');

describe('norm', () => {
  it.each([1, 2, Infinity] as const)('agrees with TF.js for p = %p, over all elements and along each axis', (p) => {
    expectLikeTfjs(
      (x) => x.norm(p),
      (x) => tf.norm(x, p),
      [{ shape: [12], range: [-2, 2] }],
    );
    for (const axis of [0, 1])
      expectLikeTfjs(
        (x) => x.norm(p, axis),
        (x) => tf.norm(x, p, axis),
        [{ shape: [3, 4], range: [-2, 2] }],
        { seed: axis + 3 },
      );
  });
  it("agrees with TF.js for 'fro' over two axes", () => {
    expectLikeTfjs(
      (x) => x.norm('fro', [0, 1]),
      (x) => tf.norm(x, 'fro', [0, 1]),
      [{ shape: [3, 4], range: [-2, 2] }],
    );
  });
  it.each([1, 2, Infinity, -Infinity, 'fro'] as const)('has the subgradient 0 at the zero vector for p = %p, and a 0 tangent', (p) => {
    const x = tensor([0, 0, 0], { requiresGrad: true });
    const y = x.norm(p);
    expect(y.item()).toBe(0);
    y.backward(tensor(1.7));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
    const [, t] = jvp((v: Tensor) => v.norm(p), [tensor([0, 0, 0])], [tensor([1, -2, 0.5])]);
    expect(t.item()).toBe(0);
  });
  it('gives x / |x| for the 2-norm where only some rows are zero, under a random upstream gradient', () => {
    const x = tensor(
      [
        [0, 0],
        [3, -4],
      ],
      { requiresGrad: true },
    );
    x.norm(2, 1).backward(tensor([2.5, -0.5]));
    expect(Array.from(x.grad!.data)).toBeAllClose([0, 0, -0.5 * 0.6, -0.5 * -0.8], { rtol: 1e-15, atol: 0 });
    expect(Array.from(x.grad!.data).slice(0, 2)).toEqual([0, 0]);
  });
  it('keeps keepDims shapes, and refuses an order it does not have with an error naming norm', () => {
    expect(tensor([[3, 4]]).norm(2, 1, true).shape).toEqual([1, 1]);
    expect(() => tensor([1]).norm(3)).toThrow(TapegradError);
    expect(() => tensor([1]).norm(3)).toThrow(/^norm: p is 1, 2, Infinity, -Infinity or 'fro'; got 3/);
    expect(() => tensor([1]).norm(2, 2)).toThrow(/^norm: axis 2 is out of range/);
  });
});
