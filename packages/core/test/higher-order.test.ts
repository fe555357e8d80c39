// createGraph: backward rules are recorded, so gradients can be differentiated again, to any order.
import { type Scalar, type Tensor, defineOp, grad, jacrev, scalar, tensor, valueAndGrad, vjp } from '@tapegrad/core';

describe('higher-order gradients', () => {
  it.each([-1.3, -0.2, 0.4, 2.1])('d2/dx2 tanh(x) = -2 tanh(x) (1 - tanh(x)^2) at %p', (x0) => {
    const t = Math.tanh(x0);
    const d2 = grad(grad((x: Scalar) => x.tanh()))(x0);
    expect(d2.value).toBeCloseTo(-2 * t * (1 - t * t), 14);
  });

  it.each([-2, 0.5, 1, 3])('d3/dx3 sin(x) = -cos(x) at %p', (x0) => {
    const d3 = grad(grad(grad((x: Scalar) => x.sin())))(x0);
    expect(d3.value).toBeCloseTo(-Math.cos(x0), 14);
  });

  it('takes the 4th derivative of exp(2x) = 16 exp(2x)', () => {
    let f: (x: Scalar) => Scalar = (x) => x.mul(2).exp();
    for (let i = 0; i < 4; i++) {
      const g = grad(f);
      f = (x) => g(x);
    }
    expect(f(scalar(0.3)).value).toBeCloseTo(16 * Math.exp(0.6), 10);
  });

  it('differentiates a tensor gradient again (Hessian-vector product of sum(x^3))', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const gx = grad((t: Tensor) => t.pow(3).sum())(x); // 3x^2
    const hv = grad((t: Tensor) => grad((u: Tensor) => u.pow(3).sum())(t).sum())(x); // 6x
    expect(Array.from(gx.data)).toEqual([3, 12, 27]);
    expect(Array.from(hv.data)).toEqual([6, -12, 18]);
  });

  it('supports createGraph on the method API', () => {
    const x = scalar(2);
    const y = x.pow(3);
    y.backward({ createGraph: true });
    const g = x.gradNode!;
    expect(g.value).toBe(12);
    x.zeroGrad();
    g.backward();
    expect(x.grad).toBe(12); // d/dx 3x^2 = 6x
  });

  it('takes options first on a Tensor too: backward({ createGraph: true }) without a seed gradient', () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.pow(3).sum().backward({ createGraph: true });
    const g = x.grad!; // 3x^2, recorded
    expect(Array.from(g.data)).toEqual([3, 12, 0.75]);
    expect(g.requiresGrad).toBe(true);
    x.zeroGrad();
    g.backward(tensor([1, 10, 100]));
    expect(Array.from(x.grad!.data)).toEqual([6, -120, 300]); // 6x times the seed
  });

  it('keeps (gradient, options) and refuses options followed by another argument', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.square();
    y.backward([1, 1], { retainGraph: true });
    y.backward([0, 1]);
    expect(Array.from(x.grad!.data)).toEqual([2, 8]);
    const z = x.sum();
    expect(() => (z.backward as (...a: unknown[]) => void)({ retainGraph: true }, {})).toThrow(
      /backward: takes \(gradient, options\) or \(options\)/,
    );
  });
});

describe('functional transforms', () => {
  it('grad selects arguments with argnums and leaves .grad alone', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const [ga, gb] = grad((x: Tensor, y: Tensor) => x.mul(y).sum(), { argnums: [0, 1] })(a, b) as Tensor[];
    expect(Array.from(ga.data)).toEqual([3, 4]);
    expect(Array.from(gb.data)).toEqual([1, 2]);
    expect(a.grad).toBeNull();
  });

  it('valueAndGrad returns the value with the gradient, for plain numbers too', () => {
    const [y, dy] = valueAndGrad((x: Scalar) => x.mul(x).add(1))(3);
    expect(y.value).toBe(10);
    expect(dy.value).toBe(6);
  });

  it('vjp pulls a cotangent back through a non-scalar function', () => {
    const x = tensor([1, 2, 3]);
    const [y, pullback] = vjp((t: Tensor) => t.square())(x);
    expect(Array.from(y.data)).toEqual([1, 4, 9]);
    const [dx] = pullback(tensor([1, 10, 100])) as Tensor[];
    expect(Array.from(dx.data)).toEqual([2, 40, 600]);
  });

  it('grad refuses a function with a non-scalar output', () => {
    expect(() => grad((t: Tensor) => t.mul(2))(tensor([1, 2]))).toThrow(/must return a single value, got shape \[2\]; use vjp/);
  });

  it('treats each argument as an independent input, as JAX does, even one computed from another argument', () => {
    // f(x, y) = x y with y = 3x computed outside: the partials are y and x, not the total derivative 2 (3x) of 3x^2.
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(3);
    const f = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const [gx, gy] = grad(f, { argnums: [0, 1] })(x, y);
    expect(Array.from(gx.data)).toEqual([6]);
    expect(Array.from(gy.data)).toEqual([2]);
    const [, vjpOf] = vjp(f)(x, y);
    expect(vjpOf(tensor(1)).map((g) => Array.from(g.data))).toEqual([[6], [2]]);
    expect(Array.from(jacrev(f, { argnums: 0 })(x, y).data)).toEqual([6]);
  });

  it('does not sweep the history of a computed argument (a functional training loop stays one step long)', () => {
    // w after each step is computed from the last step's gradient; the next step's sweep must not run those ops again.
    const loss = (w: Tensor) => w.square().sum();
    let w = tensor([1, -2], { requiresGrad: true });
    let sweptHistory = false;
    for (let step = 0; step < 3; step++) {
      const g = grad(loss)(w);
      // A custom op on the path from the last step's gradient: its backward would run only if the sweep went past w.
      const spy = defineOp<undefined, [Tensor]>({
        name: 'historySpy',
        forward: (_ctx, t) => t.raw,
        backward: (_ctx, dy) => ((sweptHistory = true), [dy]),
      });
      w = w.sub(spy(g).mul(0.25));
    }
    expect(sweptHistory).toBe(false);
    expect(Array.from(w.data)).toEqual([0.125, -0.25]);
  });

  it('grad of a function that ignores its argument is zero', () => {
    const g = grad((_x: Scalar, y: Scalar) => y.mul(2))(1, scalar(5));
    expect(g.value).toBe(0);
  });
});
