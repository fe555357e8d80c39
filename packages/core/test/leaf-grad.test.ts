// A leaf's .grad is its own copy of the gradient a backward gives it (node.ts's _accumulateGrad; tensor.ts copies
// the memory when nothing is recorded): the same values as the shared gradient, in storage no other node, seed or
// tensor holds, so an optimiser or a clipping step that changes it in place changes nothing else. Under createGraph
// the copy is a recorded op, so the gradient can be differentiated again.
import { type Tensor, noGrad, tensor } from '@tapegrad/core';

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
