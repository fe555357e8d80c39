// A backward over Scalars carries gradients as plain numbers (rules written once over GradMath, run on
// numbers). These tests pin what that path must keep: user ops with only a node backward, errors, the
// in-place check, the functional API, and equality with the node path the rules also serve.
import {
  Generator,
  GradError,
  type Scalar,
  type Tensor,
  defineOp,
  detectAnomaly,
  enableGrad,
  grad,
  scalar,
  sweep,
  tensor,
} from '@tapegrad/core';

// f(a, b) = tanh(a*b + a) * sigmoid(b) / (b*b + 1) - exp(-a) + a^b, with its partials written out by hand.
function f(a: Scalar, b: Scalar): Scalar {
  return a.mul(b).add(a).tanh().mul(b.sigmoid()).div(b.mul(b).add(1)).sub(a.neg().exp()).add(a.pow(b));
}
function closedForm(a: number, b: number): [number, number] {
  const u = a * b + a;
  const t = Math.tanh(u);
  const s = 1 / (1 + Math.exp(-b));
  const q = b * b + 1;
  const dt = 1 - t * t;
  const da = (dt * (b + 1) * s) / q + Math.exp(-a) + b * a ** (b - 1);
  const db = (dt * a * s) / q + (t * s * (1 - s)) / q - (t * s * 2 * b) / (q * q) + a ** b * Math.log(a);
  return [da, db];
}

describe('the Scalar sweep on plain numbers', () => {
  it('gives the closed-form partials of a composite of many ops', () => {
    const a = scalar(0.8);
    const b = scalar(-0.45);
    f(a, b).backward();
    const [da, db] = closedForm(0.8, -0.45);
    expect(a.grad).toBeCloseTo(da, 13);
    expect(b.grad).toBeCloseTo(db, 13);
  });

  it('agrees with the node form of the same rules (createGraph) to the last few bits', () => {
    const [a1, b1, a2, b2] = [scalar(1.3), scalar(0.7), scalar(1.3), scalar(0.7)];
    f(a1, b1).backward();
    f(a2, b2).backward({ createGraph: true });
    expect(a1.grad).toBeCloseTo(a2.grad, 14);
    expect(b1.grad).toBeCloseTo(b2.grad, 14);
  });

  // W3 of `pnpm bench` in small: micrograd's tanh MLP 2-16-16-1 with a squared-error loss, 12 samples. The sweep
  // on numbers and the sweep on nodes (createGraph records the rules; anomaly mode runs them unrecorded) sum the
  // same gradients in the same order, so every parameter's gradient must agree to the last bit.
  it('gives the same bits as the node sweep on a micrograd MLP', () => {
    const g = new Generator(3);
    const sizes = [2, 16, 16, 1];
    const weights = sizes
      .slice(1)
      .map((n, l) => Array.from({ length: n }, () => Array.from({ length: sizes[l] + 1 }, () => g.uniform() * 2 - 1)));
    const samples = Array.from({ length: 12 }, () => ({ x: [g.uniform() * 4 - 2, g.uniform() * 4 - 2], y: g.uniform() < 0.5 ? -1 : 1 }));
    const gradients = (backward: (loss: Scalar) => void): number[] => {
      const params = weights.map((layer) => layer.map((neuron) => neuron.map((w) => scalar(w))));
      let loss: Scalar | null = null;
      for (const { x, y } of samples) {
        let acts: Array<Scalar | number> = x;
        for (const layer of params) {
          acts = layer.map((neuron) => {
            let act = neuron[neuron.length - 1];
            for (let i = 0; i < neuron.length - 1; i++) act = act.add(neuron[i].mul(acts[i]));
            return act.tanh();
          });
        }
        const diff = (acts[0] as Scalar).sub(y);
        loss = loss === null ? diff.mul(diff) : loss.add(diff.mul(diff));
      }
      backward(loss!);
      return params.flat(2).map((p) => p.grad);
    };
    const onNumbers = gradients((loss) => loss.backward());
    const onRecordedNodes = gradients((loss) => loss.backward({ createGraph: true }));
    const onNodes = gradients((loss) => detectAnomaly(() => loss.backward()));
    expect(onNumbers.length).toBe(337);
    expect(onNumbers.some((v) => v === 0)).toBe(false);
    onNumbers.forEach((v, i) => {
      if (!Object.is(v, onRecordedNodes[i]) || !Object.is(v, onNodes[i]))
        throw new Error(`parameter ${i}: ${v} vs ${onRecordedNodes[i]}, ${onNodes[i]}`);
    });
  });

  it('accumulates into .grad across backward calls and keeps the gradient of inner nodes', () => {
    const x = scalar(3, { name: 'x' });
    const h = x.mul(x);
    const y = h.add(x);
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad).toBe(2 * (2 * 3 + 1));
    expect(h.grad).toBe(2);
  });

  it("runs a user op that has only a node backward, taking its Scalar gradient's value", () => {
    const cube = defineOp({
      name: 'cube',
      forward(ctx, x: Scalar) {
        ctx.save(x);
        return x.value ** 3;
      },
      backward(ctx, g: Scalar) {
        const [x] = ctx.saved as Scalar[];
        return [g.mul(x.square()).mul(3)];
      },
    });
    const x = scalar(-2);
    cube(x).mul(0.5).backward();
    expect(x.grad).toBe(0.5 * 3 * 4);
  });

  it("keeps its own state when a user op's backward runs a whole backward of its own", () => {
    // d/dx of inner(x) = x * (d/dz z^2 at z = x), i.e. x * 2x, computed by a nested sweep inside the outer one.
    const inner = defineOp({
      name: 'nestedSweep',
      forward(ctx, x: Scalar) {
        ctx.save(x);
        return x.value ** 3 * (2 / 3);
      },
      backward(ctx, g: Scalar) {
        const [x] = ctx.saved as Scalar[];
        const z = scalar(x.value);
        enableGrad(() => z.mul(z).tanh().mul(1)).backward();
        const t = Math.tanh(x.value * x.value);
        return [g.mul(x).mul(z.grad / (1 - t * t))];
      },
    });
    const x = scalar(1.5);
    const y = x.mul(x).add(inner(x).mul(3)).tanh();
    y.backward();
    const u = 1.5 * 1.5 + 3 * (2 / 3) * 1.5 ** 3;
    expect(x.grad).toBeCloseTo((1 - Math.tanh(u) ** 2) * (2 * 1.5 + 3 * 2 * 1.5 ** 2), 12);
  });

  it('refuses a user op whose backward hands a Tensor gradient to a Scalar input, naming the op', () => {
    const bad = defineOp({
      name: 'badRule',
      forward: (_ctx, x: Scalar) => x.value * 2,
      backward: () => [tensor([1, 2])],
    });
    const x = scalar(1);
    expect(() => bad(x).backward()).toThrow(GradError);
    expect(() => bad(scalar(1)).backward()).toThrow(/^badRule: backward returned a Tensor gradient for Scalar input 0/);
    expect(x.grad).toBe(0);
  });

  it('refuses a user op whose backward returns the wrong number of gradients', () => {
    const bad = defineOp({
      name: 'twoGrads',
      forward: (_ctx, x: Scalar) => x.value,
      backward: (_ctx, g: Scalar) => [g, g],
    });
    expect(() => bad(scalar(1)).backward()).toThrow(/^twoGrads: backward returned 2 gradients for 1 inputs/);
  });

  it('still refuses a value reassigned after it was saved, and accepts graphs recorded after the change', () => {
    const a = scalar(2);
    const stale = a.mul(3);
    a.value = 4;
    const fresh = a.mul(3);
    expect(() => stale.backward()).toThrow(/^mul: a value it saved for backward was modified in place/);
    fresh.backward();
    expect(a.grad).toBe(3);
  });

  it('serves the functional API, leaving .grad untouched', () => {
    const a = scalar(0.5);
    const g = grad((x: Scalar) => x.mul(x).sin())(a);
    expect(g.value).toBeCloseTo(Math.cos(0.25) * 2 * 0.5, 15);
    expect(a.grad).toBe(0);
  });

  it('sweeps several roots, the older one recorded before or far before the newer', () => {
    for (const opsBetween of [0, 5000]) {
      const [a, b] = [scalar(2), scalar(3)];
      const older = b.mul(b);
      for (let i = 0; i < opsBetween; i++) scalar(0).add(1);
      const newer = a.mul(a);
      sweep({ roots: [newer, older], seeds: [scalar(1, { requiresGrad: false }), scalar(0.5, { requiresGrad: false })] });
      expect([a.grad, b.grad]).toEqual([2 * 2, 0.5 * 2 * 3]);
    }
  });

  // The sweep places entries in slots by their distance in sequence numbers from the newest root; a graph whose
  // entries are far apart (a value recorded long before the rest) is gathered with a set and sorted instead. Both
  // must give the closed form, the second with a user op (whose backward must then run exactly once).
  describe('on a graph recorded far apart on the tape', () => {
    function recordUnrelatedOps(count: number): void {
      const s = scalar(0);
      for (let i = 0; i < count; i++) s.add(1);
    }

    it('gives the closed-form gradient, and the same as a graph recorded in one go', () => {
      const a = scalar(0.3);
      const early = a.mul(a).tanh();
      recordUnrelatedOps(200_000);
      const b = scalar(-1.2);
      early.mul(b).add(early).backward();
      const t = Math.tanh(0.09);
      expect(a.grad).toBeCloseTo((-1.2 + 1) * (1 - t * t) * 2 * 0.3, 15);
      expect(b.grad).toBeCloseTo(t, 15);
      const [a2, b2] = [scalar(0.3), scalar(-1.2)];
      const near = a2.mul(a2).tanh();
      near.mul(b2).add(near).backward();
      expect([a.grad, b.grad]).toEqual([a2.grad, b2.grad]);
    });

    it('runs a user op between the far entries once', () => {
      let calls = 0;
      const twice = defineOp({
        name: 'twice',
        forward: (_ctx, x: Scalar) => 2 * x.value,
        backward(_ctx, g: Scalar) {
          calls++;
          return [g.mul(2)];
        },
      });
      const a = scalar(1.5);
      const early = a.mul(a);
      recordUnrelatedOps(200_000);
      twice(early).mul(3).backward();
      expect(calls).toBe(1);
      expect(a.grad).toBe(3 * 2 * 2 * 1.5);
    });
  });

  it('leaves Tensor sweeps on the node path', () => {
    const t = tensor([0.5, -1], { requiresGrad: true });
    t.tanh().sum().backward();
    expect((t.grad as Tensor).toArray()).toEqual([1 - Math.tanh(0.5) ** 2, 1 - Math.tanh(-1) ** 2]);
  });
});

describe('defineOp', () => {
  it('derives backward from a gradient rule written over the math interface', () => {
    const square = defineOp({
      name: 'mySquare',
      forward(ctx, x: Scalar | Tensor) {
        ctx.saveInputs();
        return x.mul(x as never);
      },
      gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(m.mul(dy, m.input(ctx, 0)), 2)),
    });
    const s = scalar(1.5);
    square(s).backward();
    expect(s.grad).toBe(3);
    const t = tensor([1, -2], { requiresGrad: true });
    square(t).sum().backward();
    expect((t.grad as Tensor).toArray()).toEqual([2, -4]);
    expect(typeof square.definition.backward).toBe('function');
  });

  // Over Scalars the rule runs on numbers, over Tensors on nodes: each case runs on both.
  const both: Array<[string, (op: (x: Scalar | Tensor) => Scalar | Tensor, v: number) => number]> = [
    [
      'Scalar',
      (op, v) => {
        const x = scalar(v);
        (op(x) as Scalar).backward();
        return x.grad;
      },
    ],
    [
      'Tensor',
      (op, v) => {
        const x = tensor([v], { requiresGrad: true });
        (op(x) as Tensor).sum().backward();
        return (x.grad as Tensor).item();
      },
    ],
  ];

  it.each(both)('adds up two gradients a rule hands the same input (%s)', (_kind, run) => {
    // y = x * x through two handovers of dy * x: dx = 2 x dy.
    const twice = defineOp({
      name: 'twice',
      forward(ctx, x: Scalar | Tensor) {
        ctx.saveInputs();
        return x.mul(x as never);
      },
      gradient(m, ctx, dy) {
        m.inputGrad(0, m.mul(dy, m.input(ctx, 0)));
        m.inputGrad(0, m.mul(dy, m.input(ctx, 0)));
      },
    });
    expect(run(twice, 1.25)).toBe(2.5);
  });

  it.each(both)('refuses a rule that returns its gradients as a list, naming the op (%s)', (_kind, run) => {
    const listed = defineOp({
      name: 'listed',
      forward: (_ctx, x: Scalar | Tensor) => x.mul(2),
      gradient: (m: { mul(a: unknown, b: number): unknown }, _ctx: unknown, dy: unknown) => [m.mul(dy, 2)],
    });
    expect(() => run(listed, 1)).toThrow(GradError);
    expect(() => run(listed, 1)).toThrow(
      /^listed: a gradient rule hands each gradient to m.inputGrad\(i, g\) and returns nothing; it returned a list/,
    );
  });

  it.each(both)('refuses a gradient for an input the op does not have, naming the op (%s)', (_kind, run) => {
    const offByOne = defineOp({
      name: 'offByOne',
      forward: (_ctx, x: Scalar | Tensor) => x.mul(2),
      gradient: (m, _ctx, dy) => m.inputGrad(1, m.mul(dy, 2)),
    });
    expect(() => run(offByOne, 1)).toThrow(GradError);
    expect(() => run(offByOne, 1)).toThrow(/^offByOne: its gradient rule gave a gradient for input 1; the op has 1 inputs/);
  });

  it('refuses a definition with neither backward nor gradient, naming the op', () => {
    expect(() => defineOp({ name: 'noRule', forward: (_ctx: unknown, x: Scalar) => x.value })).toThrow(
      /defineOp: op 'noRule' needs a backward function/,
    );
  });
});
