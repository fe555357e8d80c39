// In-place changes, PyTorch's way (autodiff/in-place.ts): recorded on a node that takes part in a graph, refused
// on a leaf that requires grad while grad mode is on, and seen through every alias of the storage. The expected
// gradients are closed forms; the gradcheck cases compare against central differences.
import { GradError, type Tensor, noGrad, tapeOf, tensor, zeros } from '@tapegrad/core';
import { gradcheck } from '@tapegrad/gradcheck';

const leaf = (values: number[]) => tensor(values, { requiresGrad: true });
const values = (t: Tensor | null) => Array.from(t!.data);

describe('an in-place change of a recorded node is recorded', () => {
  it('addInPlace: y = 2x; y += w gives w its gradient (was null) and x its own', () => {
    const x = leaf([1, 2]);
    const w = leaf([3, 4]);
    const y = x.mul(2);
    y.addInPlace(w);
    expect(values(y)).toEqual([5, 8]);
    y.backward(tensor([1, 10]));
    expect(values(w.grad)).toEqual([1, 10]);
    expect(values(x.grad)).toEqual([2, 20]);
  });

  it('addInPlace with alpha and a broadcast operand: the operand gets alpha * dy summed to its shape', () => {
    const x = leaf([1, 2, 3, 4]);
    const b = leaf([5]);
    const y = x.reshape([2, 2]).mul(1);
    y.addInPlace(b, -0.5);
    y.backward(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(values(b.grad)).toEqual([-0.5 * 10]);
    expect(values(x.grad)).toEqual([1, 2, 3, 4]);
  });

  it('mulInPlace: y = 2x; y *= 3 gives dx = 6', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    y.mulInPlace(3);
    y.sum().backward();
    expect(values(x.grad)).toEqual([6, 6]);
  });

  it('assign: the old value gets a zero gradient (was [2, 2]) and the source gets dy, as PyTorch copy_', () => {
    const x = leaf([1, 2]);
    const src = leaf([7, 8]);
    const y = x.mul(2);
    y.assign(src);
    expect(values(y)).toEqual([7, 8]);
    y.backward(tensor([3, 5]));
    expect(values(x.grad)).toEqual([0, 0]);
    expect(values(src.grad)).toEqual([3, 5]);
    const x2 = leaf([1, 2]);
    const y2 = x2.mul(2);
    y2.assign(9);
    y2.sum().backward();
    expect(values(x2.grad)).toEqual([0, 0]);
  });

  it('hands an op recorded before the change the gradient of the version it saw', () => {
    // y = 2x; z = y + 1 (saves nothing); y *= 10; L = sum(z) + sum(y) = sum(2x + 1) + sum(20x): dL/dx = 22
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const z = y.add(1);
    y.mulInPlace(10);
    z.sum().add(y.sum()).backward();
    expect(values(x.grad)).toEqual([22, 22]);
  });

  it('follows a chain of changes, each consumer to its own version', () => {
    // y0 = 2x; y1 = y0 + w; c = sum(y1); y2 = 3 y1; L = c + sum(y2): dL/dx = 2 + 6 = 8, dL/dw = 1 + 3 = 4
    const x = leaf([1, 2]);
    const w = leaf([3, 4]);
    const y = x.mul(2);
    y.addInPlace(w);
    const c = y.sum();
    y.mulInPlace(3);
    const loss = c.add(y.sum());
    expect(tapeOf(loss).map((r) => r.op)).toEqual(['mul', 'addInPlace', 'sum', 'mulInPlace', 'sum', 'add']);
    loss.backward();
    expect(values(x.grad)).toEqual([8, 8]);
    expect(values(w.grad)).toEqual([4, 4]);
  });

  it('takes the node itself as an operand: y = 3x; y += y gives dx = 6', () => {
    const x = leaf([1, 2]);
    const y = x.mul(3);
    y.addInPlace(y);
    y.sum().backward();
    expect(values(y)).toEqual([6, 12]);
    expect(values(x.grad)).toEqual([6, 6]);
  });

  it('turns a buffer that did not require grad into a node of the graph when the operand requires grad', () => {
    const w = leaf([1, 2]);
    const buffer = zeros([2]);
    buffer.addInPlace(w.mul(3));
    expect(buffer.isLeaf).toBe(false);
    buffer.sum().backward();
    expect(values(w.grad)).toEqual([3, 3]);
  });

  it('still refuses a backward through an op that saved the old value, naming it', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const z = y.mul(y); // saves y
    y.addInPlace(1);
    expect(() => z.sum().backward()).toThrow(GradError);
    expect(() => z.sum().backward()).toThrow(/^mul: a value it saved for backward was modified in place/);
  });

  it('differentiates again through in-place entries (createGraph)', () => {
    const x = leaf([2, -1]);
    const y = x.mul(x);
    y.mulInPlace(3); // y = 3x^2
    y.sum().backward({ createGraph: true });
    const g = x.grad!; // 6x, recorded
    expect(values(g)).toEqual([12, -6]);
    x.zeroGrad();
    g.sum().backward();
    expect(values(x.grad)).toEqual([6, 6]);
  });

  it('passes gradcheck for a function built with in-place ops', () => {
    const f = (x: Tensor, w: Tensor) => {
      const y = x.mul(w);
      y.addInPlace(w.square(), 0.5);
      y.mulInPlace(-1.5);
      const z = y.sin(); // saves y, not z: z may change
      z.addInPlace(x.tanh());
      return z.mul(tensor([0.3, -0.7, 1.1])).sum();
    };
    const report = gradcheck(f, [leaf([0.2, -0.4, 0.9]), leaf([1.3, 0.5, -0.8])]);
    expect(report.toString()).toMatch(/^gradcheck: passed/);
  });

  it('is not recorded under noGrad, as in PyTorch: the change is invisible to gradients', () => {
    const x = leaf([1, 2]);
    const w = leaf([3, 4]);
    const y = x.mul(2);
    noGrad(() => y.addInPlace(w));
    y.sum().backward();
    expect(w.grad).toBeNull();
    expect(values(x.grad)).toEqual([2, 2]);
  });
});

describe('a leaf that requires grad', () => {
  it('refuses an in-place change while grad mode is on, naming the op and the leaf (PyTorch refuses too)', () => {
    const w = tensor([1, 2], { requiresGrad: true, name: 'w' });
    for (const [op, change] of [
      ['addInPlace', () => w.addInPlace(1)],
      ['mulInPlace', () => w.mulInPlace(0.5)],
      ['assign', () => w.assign(tensor([0, 0]))],
    ] as const) {
      expect(change).toThrow(GradError);
      expect(change).toThrow(new RegExp(`^${op}: w is a leaf that requires grad; .*noGrad`));
    }
    expect(values(w)).toEqual([1, 2]);
  });

  it('changes under noGrad, as an optimiser step does, and stays a leaf', () => {
    const w = leaf([1, 2]);
    w.square().sum().backward();
    noGrad(() => w.addInPlace(w.grad!, -0.1));
    expect(values(w)).toEqual([0.8, 1.6]);
    expect(w.isLeaf).toBe(true);
    expect(w.creator).toBeNull();
  });
});

describe('aliases share the version counter of their storage', () => {
  it('refuses a backward after a change made through x.detach() (it gave [20, 40] instead of [2, 4])', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    x.detach().mulInPlace(10); // allowed, as in PyTorch: the detached alias does not require grad
    expect(values(x)).toEqual([10, 20]);
    expect(() => y.backward()).toThrow(/^mul: a value it saved for backward was modified in place/);
  });

  it('sees a raw write through a detached alias once it is marked', () => {
    const x = leaf([1, 2]);
    const y = x.sin().sum(); // sin saves its input
    const alias = x.detach();
    alias.data[0] = 5;
    alias.markMutated();
    expect(() => y.backward()).toThrow(GradError);
  });

  it('shares nothing with a copy: a reshape into another shape copies, so changing it leaves x and its graph alone', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    const copy = x.reshape([2, 1]).detach();
    copy.mulInPlace(10);
    y.backward();
    expect(values(x.grad)).toEqual([2, 4]);
    expect(x.reshape([2])).toBe(x); // the same shape is the same node
  });
});
