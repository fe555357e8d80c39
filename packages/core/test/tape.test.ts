// The tape and the reverse sweep: accumulation, retainGraph, deep graphs, determinism, noGrad, detach.
import { GradError, type Scalar, Tensor, noGrad, scalar, tensor, formatTape, toDot, tapeOf, randn, seed } from '@tapegrad/core';
import { APPLE_ORANGE } from './fixtures/seed-004';

describe('the reverse sweep', () => {
  it("reproduces seed 004's apple/orange doubles exactly", () => {
    const apple = scalar(100, { name: 'apple' });
    const appleNum = scalar(2, { name: 'apple_num' });
    const orange = scalar(150, { name: 'orange' });
    const orangeNum = scalar(3, { name: 'orange_num' });
    const tax = scalar(1.1, { name: 'tax' });
    const all = apple.mul(appleNum).add(orange.mul(orangeNum));
    const price = all.mul(tax);
    price.backward();
    expect({
      price: price.value,
      dapple: apple.grad,
      dappleNum: appleNum.grad,
      dorange: orange.grad,
      dorangeNum: orangeNum.grad,
      dtax: tax.grad,
      dallPrice: all.grad,
    }).toEqual(APPLE_ORANGE);
  });

  it('gives a node used twice both contributions (b = a + a, c = b + b: dc/da = 4)', () => {
    const a = scalar(3);
    const b = a.add(a);
    const c = b.add(b);
    c.backward();
    expect(a.grad).toBe(4);
    expect(b.grad).toBe(2);
  });

  it('sweeps a chain of 1,000,000 ops without recursion', () => {
    const x = scalar(1);
    let y: Scalar = x;
    for (let i = 0; i < 1_000_000; i++) y = y.add(1);
    y.backward();
    expect(x.grad).toBe(1);
    expect(y.value).toBe(1_000_001);
  });

  it('accumulates .grad across backward calls until zeroGrad', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 8, 12]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3, 3]);
  });

  it('refuses a second backward through a released graph, and allows it with retainGraph', () => {
    const x = scalar(2);
    const y = x.mul(x);
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad).toBe(8);
    expect(() => y.backward()).toThrow(GradError);
    expect(() => y.backward()).toThrow(/mul: backward through a graph whose saved values were already released/);
  });

  it('gives bit-identical gradients on every run of the same program', () => {
    const run = () => {
      seed(7);
      const w = randn([16, 8], { requiresGrad: true });
      const x = randn([32, 16]);
      x.matmul(w).tanh().square().sum().backward();
      return new Uint8Array(new Float64Array(w.grad!.data).buffer);
    };
    expect(run()).toEqual(run());
  });

  it('records nothing under noGrad, and detach cuts the graph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.creator).toBeNull();
    const z = x.mul(2).detach();
    expect(z.requiresGrad).toBe(false);
    expect(x.mul(3).creator).not.toBeNull();
  });

  it('records an op only when some input requires grad', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(a.mul(b).creator).toBeNull();
  });

  it('lists the tape in recording order and exports Graphviz DOT', () => {
    const a = scalar(2, { name: 'a' });
    const b = scalar(3, { name: 'b' });
    const c = a.mul(b);
    c.name = 'c';
    const d = c.add(a);
    d.name = 'd';
    d.backward();
    expect(tapeOf(d).map((r) => r.op)).toEqual(['mul', 'add']);
    expect(formatTape(d).split('\n')[0]).toMatch(/^#\d+ c = mul\(a, b\) {2}value=6 {2}grad=1$/);
    const dot = toDot(d);
    expect(dot).toMatch(/^digraph "tapegrad" \{/);
    expect(dot).toContain('{ a | value 2 | grad 4 }');
    expect(dot).toContain('{ b | value 3 | grad 2 }');
  });
});

describe('seeding backward', () => {
  it('needs a seed for a non-scalar output and names its shape', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(GradError);
    expect(() => x.mul(2).backward()).toThrow(/shape \[1, 2\]; a non-scalar output needs a seed gradient/);
  });

  it('uses an explicit seed as the upstream gradient', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.square().backward([1, 0, -1]);
    expect(Array.from(x.grad!.data)).toEqual([2, 0, -6]);
  });

  it('refuses backward from a value that does not require grad', () => {
    expect(() => tensor([1]).sum().backward()).toThrow(/does not require grad/);
  });
});

describe('Tensor values', () => {
  it('keeps float32 gradients in float32', () => {
    const w = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], requiresGrad: true });
    expect(w.dtype).toBe('float32');
    w.mul(2).sum().backward();
    expect(w.grad!.dtype).toBe('float32');
    expect(Array.from(w.grad!.data)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('is a Tensor and a node of the same sweep as Scalar', () => {
    expect(tensor([1]) instanceof Tensor).toBe(true);
  });
});
