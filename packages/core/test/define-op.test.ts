// Users define ops the same way the built-in ones are defined: forward saves, backward returns one gradient per input.
import { type Node, type Tensor, defineOp, scalar, tensor } from '@tapegrad/core';
import { gradgradcheck } from '@tapegrad/gradcheck';

// Over Node, so one definition serves Scalars and Tensors: cube(t) is a Tensor, cube(s) a Scalar.
const cube = defineOp({
  name: 'cube',
  forward(ctx, x: Node) {
    ctx.save(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g: Node) {
    const [x] = ctx.saved;
    return [g.mul(x.square()).mul(3)];
  },
});

describe("DESIGN.md's public contract for defineOp", () => {
  it('types the op from forward: ctx.saved holds Tensors, and cube(x) is a Tensor, with no cast', () => {
    // DESIGN.md's example, as written there but for Prettier's line breaks: compiled with the tests, so the typed op API keeps it.
    const cube = defineOp({
      name: 'cube',
      forward(ctx, x: Tensor) {
        ctx.save(x);
        return x.mul(x).mul(x);
      },
      backward(ctx, g: Tensor) {
        const [x] = ctx.saved;
        return [g.mul(x.square()).mul(3)];
      },
    });
    const x = tensor([0.5, -2], { requiresGrad: true });
    const y: Tensor = cube(x);
    y.backward(tensor([1.5, -0.25]));
    expect(Array.from(x.grad!.data)).toEqual([1.5 * 3 * 0.25, -0.25 * 3 * 4]);
  });
});

describe('defineOp', () => {
  it('records a user op as one tape entry whose rule passes gradcheck (d/dx x^3 = 3x^2)', () => {
    const x = tensor(
      [
        [0.5, -1.2],
        [2, 0.3],
      ],
      { requiresGrad: true },
    );
    const y = cube(x);
    expect(y.creator!.op.name).toBe('cube');
    expect(y.creator!.inputs).toEqual([x]);
    expect((x2: Tensor) => cube(x2)).toPassGradcheck([x]);
  });

  it('gives higher-order gradients because the rule is written in differentiable ops', () => {
    const x = tensor([0.7, -1.1], { requiresGrad: true });
    expect(gradgradcheck((t: Tensor) => cube(t).sum(), [x]).ok).toBe(true);
  });

  it('works on Scalars with the same definition', () => {
    const s = scalar(2);
    cube(s).backward();
    expect(s.grad).toBe(12);
  });

  it('never adopts an input handed back by forward as its output', () => {
    const identity = defineOp({
      name: 'identity',
      forward: (_ctx, x: Tensor) => x,
      backward: (_ctx, g: Tensor) => [g],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    const y = identity(x);
    expect(y).not.toBe(x);
    expect(x.creator).toBeNull();
    y.addInPlace(1);
    expect(Array.from(x.data)).toEqual([1, 2]);
  });

  it('passes a trailing plain object to the op as ctx.attrs', () => {
    const scale = defineOp<{ k: number }>({
      name: 'scale',
      forward: (ctx, x: Tensor) => x.mul(ctx.attrs.k),
      backward: (ctx, g: Tensor) => [g.mul(ctx.attrs.k)],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    scale(x, { k: 3 }).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
  });
});
