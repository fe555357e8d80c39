// A leaf's .grad is its own copy of the gradient a backward gives it (node.ts's _accumulateGrad; tensor.ts copies
// the memory when nothing is recorded): the same values as the shared gradient, in storage no other node, seed or
// tensor holds, so an optimiser or a clipping step that changes it in place changes nothing else. Under createGraph
// the copy is a recorded op, so the gradient can be differentiated again.
import { DisposedError, type Tensor, defineOp, noGrad, tensor, tidy } from '@tapegrad/core';

const leaf = (values: number[], dtype: 'float32' | 'float64' = 'float64') => tensor(values, { requiresGrad: true, dtype });
const values = (t: Tensor | null) => Array.from(t!.data);

describe("a leaf's gradient is its own copy", () => {
  it.each(['float32', 'float64'] as const)('add hands dy to both operands (%s): each leaf gets its own storage', (dtype) => {
    const a = leaf([1, 2, 3], dtype);
    const b = leaf([4, 5, 6], dtype);
    const y = a.add(b);
    y.backward(tensor([0.5, -1.25, 3], { dtype }));
    expect(values(a.grad)).toEqual([0.5, -1.25, 3]);
    expect(a.grad!.data).not.toBe(b.grad!.data);
    expect(a.grad!.data.buffer).not.toBe(b.grad!.data.buffer);
    noGrad(() => a.grad!.mulInPlace(2));
    expect(values(a.grad)).toEqual([1, -2.5, 6]);
    expect(values(b.grad)).toEqual([0.5, -1.25, 3]);
    expect(values(y.grad)).toEqual([0.5, -1.25, 3]);
  });

  it("a leaf swept from itself does not keep the caller's seed", () => {
    const w = leaf([1, 2]);
    const seed = tensor([0.75, -2]);
    w.backward(seed);
    noGrad(() => seed.mulInPlace(0));
    expect(values(w.grad)).toEqual([0.75, -2]);
    expect(w.grad).not.toBe(seed);
  });

  it('a gradient reaching a leaf through a view (reshape) is copied out of the shared storage', () => {
    const w = leaf([1, 2, 3, 4]);
    const v = w.reshape([2, 2]);
    const up = tensor([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    v.backward(up);
    noGrad(() => up.mulInPlace(0));
    expect(values(w.grad)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('a second backward adds into a new tensor: a .grad read before it keeps its values', () => {
    const w = leaf([1, -1]);
    w.mul(3).sum().backward();
    const first = w.grad!;
    w.mul(3).sum().backward();
    expect(values(first)).toEqual([3, 3]);
    expect(values(w.grad)).toEqual([6, 6]);
  });

  it('under createGraph the copy is recorded: the gradient differentiates again', () => {
    const x = leaf([2, -3]);
    x.mul(x).mul(x).sum().backward({ createGraph: true }); // dx = 3x^2
    const g = x.grad!;
    expect(values(g)).toEqual([12, 27]);
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    g.sum().backward(); // d(sum 3x^2)/dx = 6x
    expect(values(x.grad)).toEqual([12, -18]);
  });
});

// A gradient the sweep made for one leaf alone (a matmul's dW, a bias's summed dy) is not copied: the leaf's .grad
// takes its memory, as PyTorch's AccumulateGrad steals a gradient nothing else holds (tensor.ts, node-math.ts).
// Arrays of at least the pool's 4,096 elements: smaller ones are always copied. Each case below would share storage
// between a leaf's .grad and something else if the sweep took memory it must not.
describe("a leaf's first gradient: taken when the sweep made it for that leaf alone, copied otherwise", () => {
  const N = 4096;
  const wave = (i: number) => Math.sin(i * 0.37) + 0.25;
  const big = (f: (i: number) => number, requiresGrad = false, dtype: 'float32' | 'float64' = 'float64') =>
    tensor(
      Float64Array.from({ length: N }, (_, i) => f(i)),
      { dtype, requiresGrad },
    );
  /** The slices of `length` elements of Kind made while `f` runs: a leaf's copy of its gradient is one. */
  function copiesDuring(Kind: Float32ArrayConstructor | Float64ArrayConstructor, f: () => void): number {
    const slice = jest.spyOn(Kind.prototype, 'slice');
    try {
      f();
      return slice.mock.contexts.filter((a) => (a as ArrayLike<number>).length === N).length;
    } finally {
      slice.mockRestore();
    }
  }
  /** Zeroes `t`'s gradient in place (an optimiser's or a clipping step's in-place change). */
  const clobber = (t: Tensor) => noGrad(() => t.grad!.mulInPlace(0));

  it.each(['float32', 'float64'] as const)("takes a matmul's dW (%s): no copy, the closed-form values", (dtype) => {
    const rows = [
      [0.5, -1.5, 2, 0.25],
      [1, 2, -3, 4],
      [-2, 0.75, 1.5, -1],
    ];
    const x = tensor(rows, { dtype });
    const w = tensor(
      Float64Array.from({ length: N }, (_, i) => wave(i)),
      { dtype, requiresGrad: true, shape: [4, 1024] },
    );
    const Kind = dtype === 'float32' ? Float32Array : Float64Array;
    expect(copiesDuring(Kind, () => x.matmul(w).sum().backward())).toBe(0);
    // dW[i][j] = sum over k of x[k][i] (the upstream gradient of sum is all ones).
    const want = rows[0].map((_, i) => rows.reduce((s, r) => s + r[i], 0));
    expect(values(w.grad)).toEqual(Array.from({ length: N }, (_, k) => want[Math.floor(k / 1024)]));
  });

  it("copies a gradient handed to two leaves (add gives its dy to both; it is also the sum node's .grad)", () => {
    const a = big(wave, true);
    const b = big((i) => -wave(i), true);
    const s = a.add(b);
    s.mul(big((i) => i % 7))
      .sum()
      .backward();
    expect(a.grad!.data).not.toBe(b.grad!.data);
    clobber(a);
    const want = Array.from({ length: N }, (_, i) => i % 7);
    expect(values(b.grad)).toEqual(want);
    expect(values(s.grad)).toEqual(want);
  });

  it("copies a gradient passed through to one leaf unchanged: it is also the intermediate node's .grad", () => {
    const w = big(wave, true);
    const s = w.add(1); // add's rule hands s's gradient to w as it is
    s.mul(big((i) => i % 5))
      .sum()
      .backward();
    clobber(w);
    expect(values(s.grad)).toEqual(Array.from({ length: N }, (_, i) => i % 5));
  });

  it("copies a user's seed and a tensor a user-written rule returns that was made before the backward", () => {
    const w = big(wave, true);
    const seed = big((i) => i % 3);
    w.backward(seed);
    clobber(w);
    expect(values(seed)).toEqual(Array.from({ length: N }, (_, i) => i % 3));

    const held = big((i) => 1 + (i % 4));
    const constantGrad = defineOp({
      name: 'constantGrad',
      forward: (_ctx, x: Tensor) => x.mul(1),
      backward: () => [held],
    });
    const v = big(wave, true);
    constantGrad(v).sum().backward();
    clobber(v);
    expect(values(held)).toEqual(Array.from({ length: N }, (_, i) => 1 + (i % 4)));
  });

  it("a gradient a user-written rule made and kept is taken, and disposed: reading the kept tensor throws, never the leaf's values", () => {
    let kept: Tensor | null = null;
    const double = defineOp({
      name: 'double',
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, dy: Tensor) => [(kept = dy.mul(2))],
    });
    const w = big(wave, true);
    double(w).sum().backward();
    expect(values(w.grad)).toEqual(new Array<number>(N).fill(2));
    clobber(w);
    expect(() => kept!.data).toThrow(DisposedError);
  });

  it('copies when the leaf has a hook (the hook may keep the gradient it is given), and when a hook upstream keeps one', () => {
    const w = big(wave, true);
    let seen: Tensor | null = null;
    const handle = w.registerHook((g) => {
      seen = g;
    });
    w.matmul(big(() => 0.5).reshape([N, 1]))
      .sum()
      .backward();
    handle.remove();
    clobber(w);
    expect(values(seen)).toEqual(new Array<number>(N).fill(0.5));

    const v = big(wave, true);
    const s = v.add(1);
    let upstream: Tensor | null = null;
    s.registerHook((g) => {
      upstream = g;
    });
    s.mul(big((i) => i % 3))
      .sum()
      .backward();
    clobber(v);
    expect(values(upstream)).toEqual(Array.from({ length: N }, (_, i) => i % 3));
  });

  it('retainGraph: a taken gradient changed in place does not change the next backward through the same graph', () => {
    const w = big(wave, true);
    const loss = w.mul(big((i) => i % 9)).sum();
    loss.backward({ retainGraph: true });
    const first = values(w.grad);
    clobber(w);
    w.zeroGrad();
    loss.backward({ retainGraph: true });
    expect(values(w.grad)).toEqual(first);
    loss.backward();
    expect(values(w.grad)).toEqual(first.map((g) => 2 * g));
  });

  it('createGraph: the first gradient stays a recorded op (never taken), and differentiates again', () => {
    const x = big((i) => (i % 5) - 2, true);
    x.mul(x).mul(x).sum().backward({ createGraph: true }); // dx = 3x^2
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    expect(values(g)).toEqual(Array.from({ length: N }, (_, i) => 3 * ((i % 5) - 2) ** 2));
    x.grad = null;
    g.sum().backward(); // d(sum 3x^2)/dx = 6x
    expect(values(x.grad)).toEqual(Array.from({ length: N }, (_, i) => 6 * ((i % 5) - 2)));
  });

  it('inside tidy: a taken gradient outlives the tidy, and the pool never hands its memory to a later op', () => {
    const w = big(wave, true);
    const other = big((i) => i);
    tidy(() => {
      w.matmul(big(() => 0.25).reshape([N, 1]))
        .sum()
        .backward();
    });
    const want = new Array<number>(N).fill(0.25);
    for (let step = 0; step < 3; step++) tidy(() => other.mul(3).add(1).neg().sum());
    expect(values(w.grad)).toEqual(want);
  });
});
