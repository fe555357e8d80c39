import { type Tensor, tensor } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';
import { ReluLayer, SigmoidLayer } from '@tapegrad/layers';

describe('ReluLayer', () => {
  it('passes dout where x > 0 and blocks it elsewhere', () => {
    const r = new ReluLayer();
    expect((r.forward(tensor([-1, 2, -3, 4])) as Tensor).toArray()).toEqual([0, 2, 0, 4]);
    expect((r.backward(tensor([5, 6, 7, 8])) as Tensor).toArray()).toEqual([0, 6, 0, 8]);
  });

  it('matches central differences away from the kink', () => {
    expect(
      checkLayer(
        new ReluLayer(),
        [
          tensor([
            [-0.7, 0.3],
            [1.2, -2.5],
          ]),
        ],
        tensor([
          [0.4, -1.1],
          [0.9, 0.6],
        ]),
      ).ok,
    ).toBe(true);
  });

  it('does not mutate dout (the book version zeroes dout[mask] in place)', () => {
    const r = new ReluLayer();
    r.forward(tensor([-1, 1]));
    const dout = tensor([3, 3]);
    r.backward(dout);
    expect(dout.toArray()).toEqual([3, 3]);
  });

  it('can run twice in one pass on different inputs, each backward using its own forward', () => {
    const r = new ReluLayer();
    r.forward(tensor([1, -1]));
    expect((r.backward(tensor([1, 1])) as Tensor).toArray()).toEqual([1, 0]);
    r.forward(tensor([-1, 1]));
    expect((r.backward(tensor([1, 1])) as Tensor).toArray()).toEqual([0, 1]);
  });
});

describe('SigmoidLayer', () => {
  it('gives sigma(0) = 0.5 and dx = dout * out * (1 - out) = 0.25 * dout', () => {
    const s = new SigmoidLayer();
    expect(s.forward(0)).toBe(0.5);
    expect(s.backward(2)).toBe(0.5);
  });

  it('keeps out and matches the closed form out * (1 - out) elementwise', () => {
    const s = new SigmoidLayer();
    const x = [-2, -0.5, 0.3, 4];
    s.forward(tensor(x));
    const dx = s.backward(tensor([1, 1, 1, 1])) as Tensor;
    x.forEach((v, i) => {
      const o = 1 / (1 + Math.exp(-v));
      expect((s.out as Tensor).data[i]).toBeCloseTo(o, 15);
      expect(dx.data[i]).toBeCloseTo(o * (1 - o), 15);
    });
  });

  it('matches central differences', () => {
    expect(checkLayer(new SigmoidLayer(), [tensor([[0.1, -1.3, 2.2]])], tensor([[0.5, 1.5, -0.8]])).ok).toBe(true);
  });
});
