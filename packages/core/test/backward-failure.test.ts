// A backward that throws part-way changes nothing: no .grad is touched and no saved value is released, so the
// same graph can be swept again once the cause is gone (docs/concepts.md, "retainGraph").
import { type Node, defineOp, scalar, tensor } from '@tapegrad/core';

/** y = 2x, whose backward throws while `failing.now` is set. */
function flakyDouble(failing: { now: boolean }) {
  return defineOp({
    name: 'flakyDouble',
    forward: (_ctx, x: Node) => x.mul(2),
    backward(_ctx, g: Node) {
      if (failing.now) throw new Error('flaky rule');
      return [g.mul(2)];
    },
  });
}

describe('a backward that throws part-way', () => {
  it('over Tensors: leaves .grad alone and the graph sweepable (the rules after the throw were not released)', () => {
    const failing = { now: true };
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    // sum and exp run before flakyDouble throws; they must still be sweepable afterwards.
    const h = x.mul(w); // saved inputs, released at the end of a sweep
    const y = flakyDouble(failing)(h).exp().sum();
    expect(() => y.backward()).toThrow('flaky rule');
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(h.grad).toBeNull();
    failing.now = false;
    y.backward();
    // dy/dx = exp(2xw) * 2w, dy/dw = exp(2xw) * 2x
    expect(Array.from(x.grad!.data)).toEqual([Math.exp(6) * 6, Math.exp(16) * 8]);
    expect(Array.from(w.grad!.data)).toEqual([Math.exp(6) * 2, Math.exp(16) * 4]);
  });

  it('over Scalars (the numeric sweep): the same', () => {
    const failing = { now: true };
    const a = scalar(1.5);
    const b = scalar(-2);
    const y = flakyDouble(failing)(a.mul(b)).add(a).sin();
    expect(() => y.backward()).toThrow('flaky rule');
    expect([a.grad, b.grad]).toEqual([0, 0]);
    failing.now = false;
    y.backward();
    const c = Math.cos(2 * 1.5 * -2 + 1.5); // y = sin(2ab + a)
    expect(a.grad).toBeCloseTo(c * (2 * -2 + 1), 14);
    expect(b.grad).toBeCloseTo(c * 2 * 1.5, 14);
  });
});
