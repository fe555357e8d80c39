// Scalar ops keep their tape entry in the output node until `creator` is read (autodiff/entry.ts).
// These tests pin that nothing observable depends on where an entry lives: listings, the in-place checks, a
// released graph, and gradients of graphs where some entries have moved to an OpContext and others have not.
import { GradError, OpContext, type Scalar, scalar, tapeOf } from '@tapegrad/core';

// y = tanh(a*b + a) * leakyRelu(b - 2) (leakyRelu takes an attribute, so it goes through an OpContext);
// returns every node it made, last the output.
function f(a: Scalar, b: Scalar): Scalar[] {
  const nodes = [a.mul(b)];
  nodes.push(nodes[0].add(a));
  nodes.push(nodes[1].tanh());
  nodes.push(b.sub(2));
  nodes.push(nodes[3].leakyRelu(0.1));
  nodes.push(nodes[2].mul(nodes[4]));
  return nodes;
}
function closedForm(a: number, b: number): [number, number] {
  const t = Math.tanh(a * b + a);
  const r = b - 2 > 0 ? b - 2 : 0.1 * (b - 2);
  const dr = b - 2 > 0 ? 1 : 0.1;
  return [(1 - t * t) * (b + 1) * r, (1 - t * t) * a * r + t * dr];
}

describe('tape entries kept in Scalar outputs', () => {
  it('gives a Scalar op a creator with the op, the inputs, the output and a place on the tape, the same object each time', () => {
    const a = scalar(2);
    const b = scalar(3);
    const y = a.mul(b);
    expect(y.isLeaf).toBe(false);
    const c = y.creator!;
    expect(c).toBeInstanceOf(OpContext);
    expect(c.op.name).toBe('mul');
    expect(c.inputs).toEqual([a, b]);
    expect(c.output).toBe(y);
    expect(c.seq).toBeGreaterThan(0);
    expect(y.creator).toBe(c);
    expect(a.isLeaf).toBe(true);
    expect(a.creator).toBeNull();
  });

  it('keeps tape order between entries made before and after some were moved to an OpContext', () => {
    const a = scalar(2);
    const u = a.mul(3);
    const v = u.add(1);
    expect(u.creator!.seq).toBeLessThan(v.creator!.seq);
    expect(v.creator!.seq).toBeLessThan(v.tanh().creator!.seq);
  });

  it.each([
    ['no entry read', (_nodes: Scalar[]) => {}],
    ['every entry read', (nodes: Scalar[]) => nodes.forEach((n) => n.creator)],
    ['every other entry read', (nodes: Scalar[]) => nodes.forEach((n, i) => i % 2 === 0 && n.creator)],
  ])('gives the closed-form gradients with %s before backward', (_label, touch) => {
    const a = scalar(0.7);
    const b = scalar(2.6);
    const nodes = f(a, b);
    touch(nodes);
    nodes[nodes.length - 1].backward();
    const [da, db] = closedForm(0.7, 2.6);
    expect(a.grad).toBeCloseTo(da, 14);
    expect(b.grad).toBeCloseTo(db, 14);
  });

  it('refuses a backward after a value an inline entry saved was mutated, naming the op, whether or not the entry moved', () => {
    for (const moveFirst of [false, true]) {
      const x = scalar(2, { name: 'x' });
      const y = x.mul(x).add(1);
      x.value = 5;
      if (moveFirst) expect(tapeOf(y).map((row) => row.op)).toEqual(['mul', 'add']);
      expect(() => y.backward()).toThrow(GradError);
      expect(() => y.backward()).toThrow(/^mul: a value it saved for backward was modified in place .*saved: x/);
    }
  });

  it('accepts values mutated before the forward pass that saved them (as an optimiser step does)', () => {
    const x = scalar(2);
    x.value = 3;
    x.value = 4;
    const y = x.mul(x).tanh();
    y.backward();
    const t = Math.tanh(16);
    expect(x.grad).toBeCloseTo((1 - t * t) * 8, 14);
  });

  it('refuses a backward after the output a tanh entry reads was mutated', () => {
    const x = scalar(0.5);
    const y = x.tanh();
    y.value = 0.9;
    expect(() => y.mul(2).backward()).toThrow(/^tanh: a value it saved for backward was modified in place/);
  });

  it('lets an input that an entry did not save change before backward, as PyTorch does (add saves nothing)', () => {
    const x = scalar(2);
    const y = x.add(1);
    x.value = 7;
    y.backward();
    expect(x.grad).toBe(1);
  });

  it('releases inline entries after backward: a second backward throws, also once the entry has moved', () => {
    const x = scalar(2);
    const y = x.mul(x);
    y.backward();
    expect(() => y.backward()).toThrow(/^mul: backward through a graph whose saved values were already released/);
    expect(y.creator).not.toBeNull();
    expect(() => y.backward()).toThrow(/^mul: backward through a graph whose saved values were already released/);
  });

  it('keeps inline entries with retainGraph, so gradients add up over two backward calls', () => {
    const x = scalar(3);
    const y = x.mul(x).tanh();
    y.backward({ retainGraph: true });
    y.backward();
    const t = Math.tanh(9);
    expect(x.grad).toBeCloseTo(2 * (1 - t * t) * 6, 14);
  });

  it("records what an elementwise op's saves declares: a value changed after mul saved it is refused, not after add or tanh", () => {
    // mul saves its inputs: dx = dy * w reads w, so changing w afterwards must refuse the backward.
    const [x, w] = [scalar(2), scalar(3)];
    const y = x.mul(w);
    w.value = 4;
    expect(() => y.backward()).toThrow(/^mul: a value it saved for backward was modified in place/);
    // add saves nothing (its rule passes dy on), so changing an input is harmless: dx = 1.
    const a = scalar(2);
    const s = a.add(1);
    a.value = 5;
    s.backward();
    expect(a.grad).toBe(1);
    // tanh saves its output (dx = dy (1 - y^2)), not its input: changing x leaves the gradient at tanh(2)'s.
    const t = scalar(2);
    const u = t.tanh();
    t.value = -1;
    u.backward();
    expect(t.grad).toBeCloseTo(1 - Math.tanh(2) * Math.tanh(2), 15);
  });
});
