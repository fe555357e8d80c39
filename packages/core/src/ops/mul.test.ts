// mul: da = dy b, db = dy a; a node used twice (x * x) gets both contributions.
import { noGrad, randn, scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('mul');

describe('mul of a node with itself', () => {
  it('gives d(x*x)/dx = 2x (both contributions) on both kinds', () => {
    const s = scalar(-1.5);
    s.mul(s).backward();
    expect(s.grad).toBe(-3);
    const t = tensor([2, -3], { requiresGrad: true });
    t.square().sum().backward();
    expect(Array.from(t.grad!.data)).toEqual([4, -6]);
  });
});

describe('the gradient of a one-element operand (a scalar weight times a tensor)', () => {
  // Taken in one pass without the product array (GradMath.mulFor); it must equal the sum of the product, bit for
  // bit, as the unfused path (createGraph, which records the product and its sum) computes it.
  it.each([
    ['float32', 1001],
    ['float64', 1002],
    ['float32', 3],
  ] as const)('equals the product summed back, bit for bit (%s, %i elements)', (dtype, n) => {
    const x = randn([n], { dtype });
    const dy = randn([n], { dtype });
    const grads = [false, true].map((createGraph) => {
      const w = tensor(0.75, { dtype, requiresGrad: true });
      const b = tensor([[-0.5]], { dtype, requiresGrad: true });
      x.mul(w)
        .mul(b)
        .backward(dy.reshape([1, n]), { createGraph });
      return [w.grad!.item(), b.grad!.item()];
    });
    expect(grads[0]).toEqual(grads[1]);
    const expectedW = noGrad(() => dy.mul(x).mul(-0.5).sum().item());
    expect(grads[0][0]).toBe(expectedW);
    expect(grads[0][1]).toBe(noGrad(() => dy.mul(x.mul(0.75)).sum().item()));
  });

  it('keeps the shape and dtype of the one-element input', () => {
    const w = tensor([[2]], { dtype: 'float32', requiresGrad: true });
    const x = tensor([1, 2, 3], { dtype: 'float64' });
    w.mul(x).sum().backward();
    expect(w.grad!.shape).toEqual([1, 1]);
    expect(w.grad!.dtype).toBe('float32');
    expect(w.grad!.item()).toBe(6);
  });
});
