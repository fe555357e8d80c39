// fuse(fn): fused values and gradients are the eager ones bit for bit (Object.is on every element: NaN, -0 and
// rounding included), for random chains of every elementwise op, float32 and float64, broadcasting, aliasing.
import { GradError, Tensor, fuse, jvp, noGrad, tensor, detectAnomaly, AnomalyError, type FuseValue } from '@tapegrad/core';
import { setGeneratedCode } from '../src/fusion/codegen';
import { poolStats } from '../src/fusion/buffer-pool';
import { type ChainStep, NAMES, applyChain, checkRandomChains, isUnary, sameBits } from './fuse-chains';

describe.each([
  ['a generated loop', true],
  ['the block runner (no generated code)', false],
])('fuse, on %s', (_, generated) => {
  beforeAll(() => setGeneratedCode(generated));
  afterAll(() => setGeneratedCode(true));

  test('random chains of every elementwise op give the eager values and gradients, bit for bit', () => {
    checkRandomChains(3, 300);
  });

  test('a long chain over several blocks: a broadcast bias, a scalar, tanh twice with values crossing it, float32', () => {
    const chain = <V extends FuseValue | Tensor>(x: V, b: V, s: V): V =>
      (x as FuseValue)
        .mul(s as FuseValue)
        .add(b as FuseValue)
        .tanh()
        .mul(x as FuseValue)
        .sub((b as FuseValue).mul(x as FuseValue))
        .tanh()
        .sigmoid()
        .mul(x as FuseValue)
        .exp()
        .sum() as unknown as V;
    const f = fuse((x, b, s) => chain(x, b, s));
    const make = (): Tensor[] => [
      tensor(
        Array.from({ length: 701 }, (_, r) => Array.from({ length: 13 }, (_, c) => Math.cos(r * 13 + c) * 2)),
        { dtype: 'float32', requiresGrad: true },
      ),
      tensor(
        Array.from({ length: 13 }, (_, c) => Math.sin(c)),
        { dtype: 'float32', requiresGrad: true },
      ),
      tensor(0.37, { dtype: 'float32', requiresGrad: true }),
    ];
    const a = make();
    const e = make();
    f(a[0], a[1], a[2]).backward();
    chain(e[0], e[1], e[2]).backward();
    expect(f.lastUnfusedReason).toBeNull();
    a.forEach((t, i) => expect([i, sameBits(t.grad, e[i].grad)]).toEqual([i, true]));
  });

  test("W4's chain on float32: one value, one gradient per weight, as eager", () => {
    const f = fuse((x, w, b) => x.mul(w).add(b).tanh().sum());
    const data = Array.from({ length: 10007 }, (_, i) => Math.sin(i * 0.37) * 3);
    const run = (fused: boolean): [Tensor, Tensor, Tensor] => {
      const x = tensor(data, { dtype: 'float32' });
      const w = tensor(0.7, { dtype: 'float32', requiresGrad: true });
      const b = tensor(-0.2, { dtype: 'float32', requiresGrad: true });
      const y = fused ? f(x, w, b) : x.mul(w).add(b).tanh().sum();
      y.backward();
      return [y, w.grad!, b.grad!];
    };
    const fused = run(true);
    const eager = run(false);
    fused.forEach((t, i) => expect(sameBits(t, eager[i])).toBe(true));
    // And against an independent float64 sum: the eager path itself is right to float32 accuracy.
    const exact = data.reduce((s, v) => s + Math.tanh(Math.fround(v) * Math.fround(0.7) + Math.fround(-0.2)), 0);
    expect(Math.abs(fused[0].item() - exact)).toBeLessThan(1e-5 * data.length);
  });
});

describe('fuse', () => {
  test('every op declared through elementwise(...) is a method of traced values, fused like its eager op', () => {
    expect(NAMES).toEqual(expect.arrayContaining(['add', 'mul', 'tanh', 'exp', 'relu', 'maximum', 'erf']));
    for (const name of NAMES) {
      const step: ChainStep = { name, a: 0, b: 1 };
      const x = tensor([0.3, -1.2, 2.5, 0], { requiresGrad: true });
      const y = tensor([1.5, 0.25, -0.75, 2], { requiresGrad: true });
      const x2 = tensor([0.3, -1.2, 2.5, 0], { requiresGrad: true });
      const y2 = tensor([1.5, 0.25, -0.75, 2], { requiresGrad: true });
      const f = fuse((a, b) => applyChain([step], [a, b], true));
      f(x, y).backward();
      applyChain([step], [x2, y2], true).backward();
      expect(f.lastUnfusedReason).toBeNull();
      expect([name, sameBits(x.grad, x2.grad)]).toEqual([name, true]);
      if (!isUnary(name)) expect([name, sameBits(y.grad, y2.grad)]).toEqual([name, true]);
    }
  });

  test('an argument passed twice (aliasing) gets the gradient of both uses, summed in the eager order', () => {
    const f = fuse((a, b) => a.mul(b).add(a).sin());
    const x = tensor([0.5, -2, 3], { dtype: 'float32', requiresGrad: true });
    const x2 = tensor([0.5, -2, 3], { dtype: 'float32', requiresGrad: true });
    const up = tensor([0.3, 1.7, -0.9], { dtype: 'float32' });
    f(x, x).mul(x).backward(up);
    x2.mul(x2).add(x2).sin().mul(x2).backward(up);
    expect(sameBits(x.grad, x2.grad)).toBe(true);
  });

  test('an argument changed in place after the call refuses the backward, as an eager op does', () => {
    const f = fuse((a, b) => a.mul(b).tanh());
    const x = tensor([0.5, -2, 3], { requiresGrad: true });
    const w = tensor([1, 2, 3]);
    const y = f(x, w);
    noGrad(() => w.addInPlace(1));
    expect(() => y.sum().backward()).toThrow(GradError);
  });

  test('each call reads its arguments as they are then; the result does not alias them', () => {
    const f = fuse((a) => a.add(0));
    const x = tensor([1, 2, 3]);
    const y = f(x);
    noGrad(() => x.addInPlace(10));
    expect(y.toArray()).toEqual([1, 2, 3]);
    expect(f(x).toArray()).toEqual([11, 12, 13]);
  });

  test('what it cannot fuse runs eagerly and says why, with the same results', () => {
    const f = fuse((x, w) => x.mul(w.exp()).sum());
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const w = tensor(0.5, { requiresGrad: true });
    f(x, w).backward();
    expect(f.lastUnfusedReason).toMatch(/intermediate of shape \[\]/);
    expect(w.grad!.item()).toBeCloseTo(6 * Math.exp(0.5), 12);
    const g = fuse((a) => a.mul(2));
    expect(g(tensor([1, 2], { dtype: 'int32' })).toArray()).toEqual([2, 4]);
    expect(g.lastUnfusedReason).toMatch(/float32 or all float64/);
    expect(() => detectAnomaly(() => g(tensor([Infinity]), 0).mul(0))).toThrow(AnomalyError);
    // Forward mode runs the ops eagerly, so their tangent rules apply.
    const [, t] = jvp((a: Tensor) => g(a), [tensor([1, 2])], [tensor([1, 1])]);
    expect(t.toArray()).toEqual([2, 2]);
  });

  test('createGraph through a fused call is refused with a GradError naming fused', () => {
    const f = fuse((a) => a.mul(a).sum());
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => f(x).backward({ createGraph: true })).toThrow(/fused: createGraph/);
  });

  test('bad calls get typed errors', () => {
    const f = fuse((a, b) => a.add(b));
    expect(() => f(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/add|fuse/);
    expect(() => fuse((a) => a.valueOf() as unknown as FuseValue)(tensor([1]))).toThrow(/no data/);
    expect(() => f(1, 2)).toThrow(/at least one Tensor/);
  });

  describe("the buffers a call keeps for its backward (tanh's output) come from a pool", () => {
    const f = fuse((x, w) => x.mul(w).tanh().sum());
    const xs = [0, 1, 2].map((k) => tensor(Array.from({ length: 257 }, (_, i) => Math.sin(i + k) * 2)));
    const eagerGrad = (x: Tensor): number[] => {
      const w = tensor(0.6, { requiresGrad: true });
      x.mul(w).tanh().sum().backward();
      return [w.grad!.item()];
    };
    const fusedGrad = (y: Tensor, w: Tensor, options = {}): number[] => {
      w.zeroGrad();
      y.backward(options);
      return [w.grad!.item()];
    };

    test('a buffer is lent again once the backward has released its entry', () => {
      const w = tensor(0.6, { requiresGrad: true });
      f(xs[0], w).backward();
      const before = { ...poolStats };
      f(xs[1], w).backward();
      expect(poolStats.reused).toBe(before.reused + 1);
      expect(poolStats.allocated).toBe(before.allocated);
    });

    test('never while the entry may still be swept: retainGraph, or no backward yet', () => {
      const w = tensor(0.6, { requiresGrad: true });
      const y0 = f(xs[0], w);
      expect(fusedGrad(y0, w, { retainGraph: true })).toEqual(eagerGrad(xs[0]));
      const y1 = f(xs[1], w); // y0's entry is retained and y1's not swept: neither buffer may be lent to y2
      const y2 = f(xs[2], w);
      expect(fusedGrad(y2, w)).toEqual(eagerGrad(xs[2]));
      expect(fusedGrad(y1, w)).toEqual(eagerGrad(xs[1]));
      expect(fusedGrad(y0, w)).toEqual(eagerGrad(xs[0]));
      expect(() => y1.backward()).toThrow(GradError); // released: a backward never reads a buffer lent again
    });

    test('the kept buffer is not among the saved values a user can reach', () => {
      const w = tensor(0.6, { requiresGrad: true });
      const y = f(xs[0], w);
      expect(y.creator!.saved.every((v) => v instanceof Tensor)).toBe(true);
    });
  });
});
