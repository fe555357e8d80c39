import { type Tensor, ShapeError, GradError, noGrad, tensor } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';
import { AddLayer, MulLayer } from '@tapegrad/layers';

describe('MulLayer', () => {
  it("reproduces the book's apple step: forward(100, 2) = 200, backward(1.1) = [2.2, 110.00000000000001]", () => {
    const m = new MulLayer();
    expect(m.forward(100, 2)).toBe(200);
    const [dx, dy] = m.backward(1.1);
    expect(dx).toBe(2.2);
    expect(dy).toBe(110.00000000000001);
    expect(typeof dx).toBe('number');
  });

  it('matches central differences on numbers and on broadcast tensors', () => {
    expect(checkLayer(new MulLayer(), [1.5, -2.25], 0.7).ok).toBe(true);
    const x = tensor([
      [0.3, -1.2, 2.0],
      [0.5, 0.9, -0.4],
    ]);
    const y = tensor([1.1, -0.6, 0.25]);
    const dout = tensor([
      [0.2, -1.3, 0.8],
      [1.7, 0.4, -0.9],
    ]);
    const r = checkLayer(new MulLayer(), [x, y], dout);
    expect(r.ok).toBe(true);
  });

  it('sums the gradient of a broadcast row back to its shape (dy = column sums of dout * x)', () => {
    const m = new MulLayer();
    m.forward(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([10, 20]),
    );
    const [dx, dy] = m.backward(
      tensor([
        [1, 1],
        [1, 1],
      ]),
    ) as [Tensor, Tensor];
    expect(dx.toArray()).toEqual([
      [10, 20],
      [10, 20],
    ]);
    expect(dy.toArray()).toEqual([4, 6]);
  });

  it('returns a number gradient for a number multiplied by a tensor', () => {
    const m = new MulLayer();
    m.forward(tensor([1, 2, 3]), 2);
    const [, ds] = m.backward(tensor([1, 1, 1]));
    expect(ds).toBe(6);
  });

  it('can be reused: a second forward replaces the saved inputs', () => {
    const m = new MulLayer();
    m.forward(3, 4);
    m.forward(5, 7);
    expect(m.backward(1)).toEqual([7, 5]);
  });

  it('works when forward ran under noGrad (the private graph is always recorded)', () => {
    const m = new MulLayer();
    noGrad(() => m.forward(3, 4));
    expect(m.backward(2)).toEqual([8, 6]);
  });

  it('never writes into dout and keeps the caller tensors out of its graph', () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const dout = tensor([0.5, 0.5, 0.5]);
    const m = new MulLayer();
    const z = m.forward(x, x) as Tensor;
    m.backward(dout);
    expect(dout.toArray()).toEqual([0.5, 0.5, 0.5]);
    expect(z.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });

  it('refuses backward before forward, and a dout of the wrong shape, naming the layer', () => {
    expect(() => new MulLayer().backward(1)).toThrow(GradError);
    expect(() => new MulLayer().backward(1)).toThrow(/MulLayer.backward: call forward first/);
    const m = new MulLayer();
    m.forward(tensor([1, 2]), tensor([3, 4]));
    expect(() => m.backward(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => m.backward(tensor([1, 2, 3]))).toThrow('MulLayer.backward: dout has shape [3] but forward returned shape [2]');
  });

  it('refuses a tensor dout for a number forward', () => {
    const m = new MulLayer();
    m.forward(2, 3);
    expect(() => m.backward(tensor([1, 2]))).toThrow(/forward returned a number/);
  });
});

describe('AddLayer', () => {
  it('passes dout to both inputs: backward(1.1) = [1.1, 1.1] after forward(200, 450) = 650', () => {
    const a = new AddLayer();
    expect(a.forward(200, 450)).toBe(650);
    expect(a.backward(1.1)).toEqual([1.1, 1.1]);
  });

  it('matches central differences on broadcast tensors', () => {
    const r = checkLayer(
      new AddLayer(),
      [
        tensor([
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ]),
        tensor([[1.5], [-2], [0.25]]),
      ],
      tensor([
        [0.3, -0.7],
        [1.1, 0.2],
        [-0.4, 0.9],
      ]),
    );
    expect(r.ok).toBe(true);
  });

  it('hands out gradients that share storage neither with dout nor with each other', () => {
    const a = new AddLayer();
    a.forward(tensor([1, 2]), tensor([3, 4]));
    const dout = tensor([1, 1]);
    const [dx, dy] = a.backward(dout) as [Tensor, Tensor];
    dx.data[0] = 99;
    expect(dy.data[0]).toBe(1);
    expect(dout.data[0]).toBe(1);
  });

  it('adds numbers to the same double as JavaScript does (0.1 + 0.2 = 0.30000000000000004)', () => {
    expect(new AddLayer().forward(0.1, 0.2)).toBe(0.30000000000000004);
  });
});
