// Forward mode (jvp): tangents travel with the values. Checked against closed forms, against reverse mode, and for
// JAX's semantics: a node the function closes over is not perturbed, levels never confuse each other, the tangent
// has the output's shape (zeros where it does not depend on the primals), and nothing goes on a tape.
import {
  AnomalyError,
  DTypeError,
  GradError,
  type Node,
  type Scalar,
  ShapeError,
  type Tensor,
  defineOp,
  detectAnomaly,
  grad,
  jvp,
  noGrad,
  scalar,
  tensor,
  zerosLike,
} from '@tapegrad/core';
import { checkDuality } from '@tapegrad/gradcheck';

const poly = (x: Scalar) => x.mul(x).mul(x).sub(x.mul(2)); // x^3 - 2x: f' = 3x^2 - 2, f'' = 6x, f''' = 6

describe('jvp on closed forms', () => {
  it("gives f(x) and f'(x) u for a Scalar function, primal and tangent given as numbers", () => {
    const [y, t] = jvp(poly, [1.5], [0.25]);
    expect(y.value).toBe(1.5 ** 3 - 3);
    expect(t.value).toBeCloseTo(0.25 * (3 * 1.5 ** 2 - 2), 14);
  });

  it('gives the directional derivative of a Tensor function: d/dt sum(tanh(A x)) = <1 - tanh(Ax)^2, A u>', () => {
    const A = tensor([
      [0.5, -1, 2],
      [1.5, 0.25, -0.75],
    ]);
    const x = tensor([0.3, -0.2, 0.1]);
    const u = tensor([1, 2, -1]);
    const [y, t] = jvp((v: Tensor) => A.matmul(v).tanh().sum(), [x], [u]);
    const Ax = [0.5 * 0.3 + 0.2 + 0.2, 1.5 * 0.3 - 0.05 - 0.075];
    const Au = [0.5 - 2 - 2, 1.5 + 0.5 + 0.75];
    expect(y.item()).toBeCloseTo(Math.tanh(Ax[0]) + Math.tanh(Ax[1]), 14);
    expect(t.item()).toBeCloseTo((1 - Math.tanh(Ax[0]) ** 2) * Au[0] + (1 - Math.tanh(Ax[1]) ** 2) * Au[1], 14);
    expect(t.shape).toEqual([]);
  });

  it('sums the contributions of several perturbed inputs (the product rule)', () => {
    const [y, t] = jvp((a: Scalar, b: Scalar) => a.mul(b).sin(), [2, 3], [0.5, -1]);
    expect(y.value).toBeCloseTo(Math.sin(6), 15);
    expect(t.value).toBeCloseTo(Math.cos(6) * (0.5 * 3 + 2 * -1), 14);
  });

  it('gives tangents in the structure of a list output', () => {
    const [ys, ts] = jvp((x: Tensor) => [x.exp(), [x.sum(), x.mul(3)]] as const, [tensor([0, 1])], [tensor([1, -2])]);
    expect(ys[0].toArray()).toEqual([1, Math.E]);
    expect(ts[0].toArray()).toEqual([1, -2 * Math.E]);
    expect(ts[1][0].item()).toBe(-1);
    expect(ts[1][1].toArray()).toEqual([3, -6]);
  });

  it('gives a zero tangent of the output shape and dtype where the output does not depend on the primals', () => {
    const c = tensor(new Float32Array([1, 2, 3]), { shape: [3] });
    const [, t] = jvp((_x: Tensor) => c.mul(2), [tensor([5])], [tensor([1])]);
    expect(t.shape).toEqual([3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([0, 0, 0]);
    const [, ts] = jvp((_x: Scalar) => scalar(4), [1], [1]);
    expect(ts.value).toBe(0);
  });

  it('keeps a float32 output in float32, its tangent too', () => {
    const x = tensor(new Float32Array([0.5, -1.5]), { shape: [2] });
    const [y, t] = jvp((v: Tensor) => v.mul(v), [x], [tensor(new Float32Array([1, 1]), { shape: [2] })]);
    expect(y.dtype).toBe('float32');
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([1, -3]);
  });

  it('spreads the tangent of a broadcast operand to the output shape', () => {
    const b = tensor([1, 2, 3]);
    const [, t] = jvp(
      (bias: Tensor) =>
        tensor([
          [0, 0, 0],
          [1, 1, 1],
        ]).add(bias),
      [b],
      [tensor([1, 0, -1])],
    );
    expect(t.toArray()).toEqual([
      [1, 0, -1],
      [1, 0, -1],
    ]);
  });
});

describe("jvp follows JAX's semantics", () => {
  it('perturbs the argument only, never a node the function closes over', () => {
    const x = scalar(3, { requiresGrad: false });
    const [, t] = jvp((a: Scalar) => a.mul(x), [x], [1]);
    expect(t.value).toBe(3); // d/da (a * x) at a = x; not 2x
  });

  it('does not confuse nested levels (Siskind and Pearlmutter): d/dx [x * d/dy (x + y)] = 1', () => {
    const inner = (x: Scalar) => jvp((y: Scalar) => x.add(y), [1], [1])[1];
    const [, t] = jvp((x: Scalar) => x.mul(inner(x)), [2], [1]);
    expect(t.value).toBe(1);
  });

  it('leaves no tangent behind on the primals or the outputs once it returns', () => {
    const x = tensor([1, 2]);
    const [y] = jvp((v: Tensor) => v.mul(2), [x], [tensor([1, 1])]);
    const [, t] = jvp((v: Tensor) => v.add(y), [tensor([0, 0])], [tensor([0, 0])]);
    expect(Array.from(t.data)).toEqual([0, 0]);
    expect(x._tangents).toBeNull();
  });

  it('puts nothing on a tape: outputs and tangents of unrecorded inputs are leaves', () => {
    const [y, t] = jvp((v: Tensor) => v.tanh().mul(v).sum(), [tensor([0.5, 1])], [tensor([1, 0])]);
    expect(y.isLeaf && !y.requiresGrad).toBe(true);
    expect(t.isLeaf && !t.requiresGrad).toBe(true);
  });

  it('stops tangents at noGrad inside the function (as the tape stops there), and ignores a noGrad around it', () => {
    const [, t] = jvp((x: Scalar) => x.mul(noGrad(() => x.mul(x))), [3], [1]);
    expect(t.value).toBe(9); // x^2 is a constant: d/dx (x * c) = c
    const [, t2] = noGrad(() => jvp((x: Scalar) => x.mul(x), [3], [1]));
    expect(t2.value).toBe(6);
  });

  it('stops tangents at detach()', () => {
    const [, t] = jvp((x: Tensor) => x.mul(x.detach()), [tensor([2])], [tensor([1])]);
    expect(t.item()).toBe(2);
  });

  it('passes aux data through with hasAux', () => {
    const [y, t, aux] = jvp((x: Scalar) => [x.exp(), { note: 'kept' }] as const, [0], [2], { hasAux: true });
    expect([y.value, t.value, aux.note]).toEqual([1, 2, 'kept']);
  });

  it('gives the same tangents on the numeric path (Scalars as numbers) and on nodes', () => {
    const f = (x: Scalar, y: Scalar) => x.tanh().mul(y.sigmoid()).div(x.mul(x).add(y.exp())).pow(1.5).log();
    const [, fast] = jvp(f, [0.7, -0.4], [1.3, 0.6]);
    // A primal on the tape makes the tangent a recorded node: the rules run on nodes.
    const [, onNodes] = jvp(f, [scalar(0.7), scalar(-0.4)], [1.3, 0.6]);
    expect(fast.value).toBe(onNodes.value);
  });
});

describe('forward and reverse mode compose', () => {
  it('jvp of grad is the Hessian-vector product (forward over reverse)', () => {
    const [g, h] = jvp(grad(poly), [2], [0.5]);
    expect(g.value).toBe(3 * 4 - 2);
    expect(h.value).toBe(0.5 * 12);
  });

  it('grad of jvp differentiates the tangent (reverse over forward)', () => {
    const d = grad((x: Scalar) => jvp(poly, [x], [1])[1])(2);
    expect(d.value).toBe(12);
  });

  it("composes to third order in every order: f''' = 6", () => {
    const fwdFwdFwd = jvp((x: Scalar) => jvp((y: Scalar) => jvp(poly, [y], [1])[1], [x], [1])[1], [0.3], [1])[1];
    const revFwdRev = grad((x: Scalar) => jvp(grad(poly), [x], [1])[1])(0.3);
    const fwdRevRev = jvp(grad(grad(poly)), [0.3], [1])[1];
    expect([fwdFwdFwd.value, revFwdRev.value, fwdRevRev.value]).toEqual([6, 6, 6]);
  });

  it('gives a Hessian-vector product of a Tensor function equal to reverse over reverse', () => {
    const f = (x: Tensor) => x.mul(x).sum().mul(x.sin().sum()).add(x.exp().mul(x).sum());
    const x = tensor([0.3, -0.8, 1.1]);
    const v = tensor([0.5, 1, -2]);
    const [, hv] = jvp(grad(f), [x], [v]);
    const reverse = grad((y: Tensor) => grad(f)(y).mul(v).sum())(x);
    expect(Array.from(hv.data)).toBeAllClose(Array.from(reverse.data), { rtol: 1e-13, atol: 1e-14 });
  });

  it('runs the reverse sweep on tangent-carrying values under createGraph, and checks out by duality', () => {
    const a = tensor(
      [
        [0.4, -1.2],
        [0.9, 0.3],
      ],
      { requiresGrad: true },
    );
    const b = tensor([0.7, -0.1], { requiresGrad: true });
    const report = checkDuality((x: Tensor, y: Tensor) => x.matmul(y).tanh().mul(x.sum(0)).softmax(), [a, b], { secondOrder: true });
    expect(report.toString()).toMatch(/^checkDuality: passed/);
  });
});

describe('ops without a tangent rule', () => {
  // y = x^3 with only a backward: forward mode transposes the backward (the double vjp).
  const cube = defineOp({
    name: 'cube',
    forward(ctx, x: Node) {
      ctx.saveInputs();
      return x.mul(x).mul(x);
    },
    backward(ctx, dy: Node) {
      const [x] = ctx.saved;
      return [dy.mul(x).mul(x).mul(3)];
    },
  });

  it('get their tangent by transposing backward: d/dx x^3 = 3x^2, on Scalars and Tensors', () => {
    expect(jvp((x: Scalar) => cube(x), [2], [0.5])[1].value).toBe(6);
    const [, t] = jvp((x: Tensor) => cube(x), [tensor([1, -2])], [tensor([1, 1])]);
    expect(t.toArray()).toEqual([3, 12]);
  });

  it('compose with grad in both orders through the transposed rule', () => {
    expect(
      jvp(
        grad((x: Scalar) => cube(x)),
        [2],
        [1],
      )[1].value,
    ).toBe(12);
    expect(grad((x: Scalar) => jvp((y: Scalar) => cube(y), [x], [1])[1])(2).value).toBe(12);
  });

  it('use their own tangent rule when they have one', () => {
    let calls = 0;
    const twice = defineOp({
      name: 'twice',
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, dy: Tensor) => [dy.mul(2)],
      tangent: (_m, _ctx, tx) => {
        calls++;
        return tx!.mul(2);
      },
    });
    const [, t] = jvp((x: Tensor) => twice(x), [tensor([1])], [tensor([3])]);
    expect([t.item(), calls]).toEqual([6, 1]);
  });

  it('refuse, naming the op, when backward is not written in differentiable ops', () => {
    const opaque = defineOp({
      name: 'opaque',
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, dy: Tensor) => [tensor(Array.from(dy.data, (v) => 2 * v))],
    });
    expect(() => jvp((x: Tensor) => opaque(x), [tensor([1])], [tensor([1])])).toThrow(GradError);
    expect(() => jvp((x: Tensor) => opaque(x), [tensor([1])], [tensor([1])])).toThrow(/opaque: it has no tangent rule/);
  });
});

describe('in-place ops carry the change to the tangent', () => {
  it('addInPlace, mulInPlace and assign update the tangent as they update the value', () => {
    const f = (x: Tensor, y: Tensor) => {
      const z = x.mul(1);
      z.addInPlace(y, 0.5).mulInPlace(3);
      return z;
    };
    const [, t] = jvp(f, [tensor([1, 2]), tensor([4, 4])], [tensor([1, 0]), tensor([2, 2])]);
    expect(t.toArray()).toEqual([6, 3]); // 3 * (tx + 0.5 ty)
    const [, ta] = jvp((x: Tensor, y: Tensor) => x.mul(1).assign(y), [tensor([1, 2]), tensor([0, 0])], [tensor([5, 5]), tensor([1, -1])]);
    expect(ta.toArray()).toEqual([1, -1]);
    const [, tz] = jvp((x: Tensor) => x.mul(1).assign(tensor([7, 7])), [tensor([1, 2])], [tensor([5, 5])]);
    expect(tz.toArray()).toEqual([0, 0]);
  });
});

describe('jvp refuses bad input with a typed error', () => {
  it('names the mismatch between primals and tangents', () => {
    const id = (x: Tensor) => x;
    expect(() => jvp(id, [tensor([1, 2])], [tensor([1])])).toThrow(ShapeError);
    expect(() => jvp(id, [tensor([1, 2])], [tensor(new Float32Array([1, 2]), { shape: [2] })])).toThrow(DTypeError);
    expect(() => jvp(id, [tensor([1, 2])], [1] as never)).toThrow(/tangent 0 is a number, but primal 0 is a Tensor of shape \[2\]/);
    expect(() => jvp(id, [tensor([1, 2])], [] as never)).toThrow(/1 primals but 0 tangents/);
    expect(() => jvp(id, [tensor([1], { dtype: 'int32' })], [tensor([1], { dtype: 'int32' })])).toThrow(DTypeError);
    expect(() => jvp((_x: Tensor) => 3 as never, [tensor([1])], [tensor([1])])).toThrow(
      /must return a Scalar, a Tensor or a list of them, got a number/,
    );
  });

  it('blames the op whose tangent goes non-finite in anomaly mode', () => {
    expect(() => detectAnomaly(() => jvp((x: Tensor) => x.sqrt(), [tensor([0, 1])], [tensor([1, 1])]))).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => jvp((x: Tensor) => x.sqrt(), [tensor([0, 1])], [tensor([1, 1])]))).toThrow(/sqrt tangent/);
  });

  it('takes zerosLike tangents for inputs held still', () => {
    const a = tensor([1, 2]);
    const [, t] = jvp((x: Tensor, y: Tensor) => x.mul(y).sum(), [a, tensor([3, 4])], [zerosLike(a), tensor([1, 1])]);
    expect(t.item()).toBe(3);
  });
});
