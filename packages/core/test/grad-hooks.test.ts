// Gradient hooks on nodes (PyTorch's Tensor.register_hook): when they run, what they see, what a replacement
// changes, on Tensors and on Scalars (whose sweep runs on plain numbers), and how misuse is refused.
import { GradError, type Tensor, grad, scalar, tensor } from '@tapegrad/core';

describe('Node.registerHook', () => {
  it('sees an intermediate node’s whole gradient, summed over its uses', () => {
    // z = sum(y * y + y), y = 2x: dz/dy = 2y + 1
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    const y = x.mul(2);
    const seen: number[][] = [];
    y.registerHook((g) => void seen.push(Array.from(g.data)));
    y.mul(y).add(y).sum().backward();
    expect(seen).toEqual([[5, -7, 3]]);
    expect(x.grad!.toArray()).toEqual([10, -14, 6]);
  });

  it('replaces the gradient for the rest of the sweep and for .grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.registerHook((g) => g.mul(tensor([0, 10])));
    y.sum().backward();
    expect(y.grad!.toArray()).toEqual([0, 10]);
    expect(x.grad!.toArray()).toEqual([0, 30]);
  });

  it('on a leaf: runs on each backward’s gradient before it is added into .grad', () => {
    const w = tensor([1, 1], { requiresGrad: true });
    const seen: number[][] = [];
    w.registerHook((g) => {
      seen.push(Array.from(g.data));
      return g.clamp(-1, 1);
    });
    w.mul(tensor([3, 0.5]))
      .sum()
      .backward();
    w.mul(tensor([-4, 0.25]))
      .sum()
      .backward();
    expect(seen).toEqual([
      [3, 0.5],
      [-4, 0.25],
    ]);
    expect(w.grad!.toArray()).toEqual([0, 0.75]);
  });

  it('runs hooks in registration order, each on the previous result, until removed', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(1);
    const order: string[] = [];
    const a = y.registerHook((g) => {
      order.push('a');
      return g.add(1);
    });
    y.registerHook((g) => {
      order.push(`b ${g.item()}`);
      return g.mul(10);
    });
    y.sum().backward();
    expect(order).toEqual(['a', 'b 2']);
    expect(x.grad!.item()).toBe(20);
    a.remove();
    a.remove();
    x.zeroGrad();
    x.mul(1).sum().backward(); // a new node: no hooks
    expect(x.grad!.item()).toBe(1);
  });

  it('works on Scalars, whose sweep runs on plain numbers', () => {
    const a = scalar(3);
    const b = a.mul(a); // db/da = 2a = 6
    const seen: number[] = [];
    b.registerHook((g) => {
      seen.push(g.value);
      return g.mul(0.5);
    });
    a.registerHook((g) => void seen.push(g.value));
    b.add(b).backward(); // d/db = 2, halved to 1, then da = 6
    expect(seen).toEqual([2, 6]);
    expect(a.grad).toBe(6);
  });

  it('takes part in higher-order gradients: a hook that doubles doubles the derivative', () => {
    const x = tensor([1.5], { requiresGrad: true });
    const f = (v: Tensor) => {
      const y = v.mul(v).mul(v);
      y.registerHook((g) => g.mul(2));
      return y.sum();
    };
    // d/dx of (x^3 with its gradient doubled) = 6 x^2
    expect(grad(f)(x).toArray()).toEqual([6 * 1.5 * 1.5]);
  });

  it('refuses a replacement of another shape or dtype, a hook that is not a function, and a node that gets no gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.registerHook(() => tensor([1, 2, 3]));
    expect(() => y.sum().backward()).toThrow(GradError);
    expect(() => x.mul(1).registerHook(5 as never)).toThrow(/registerHook: a hook must be a function, got number/);
    expect(() => tensor([1]).registerHook(() => undefined)).toThrow(/does not require grad, so no gradient will ever reach the hook/);
    const z = x.mul(3);
    z.registerHook(() => tensor(new Float32Array([1, 1])));
    expect(() => z.sum().backward()).toThrow(/returned a Tensor of shape \[2\], float32 for a gradient of shape \[2\], float64/);
  });
});
