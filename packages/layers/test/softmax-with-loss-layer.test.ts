import { ShapeError, type Tensor, randn, seed, tensor } from '@tapegrad/core';
import { checkLayer } from '@tapegrad/gradcheck';
import { SoftmaxWithLossLayer } from '@tapegrad/layers';

function softmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('SoftmaxWithLossLayer', () => {
  const x = [
    [2, 1, 0.1],
    [0.5, 2.5, -1],
  ];
  const oneHot = [
    [1, 0, 0],
    [0, 0, 1],
  ];

  it('gives the mean cross-entropy -(1/N) sum t log y and backward (y - t) / N, computed by hand', () => {
    const layer = new SoftmaxWithLossLayer();
    const loss = layer.forward(tensor(x), tensor(oneHot));
    const y = x.map(softmaxRow);
    expect(loss).toBeCloseTo(-(Math.log(y[0][0]) + Math.log(y[1][2])) / 2, 14);
    const dx = layer.backward();
    y.forEach((row, n) => row.forEach((v, k) => expect((dx.toArray() as number[][])[n][k]).toBeCloseTo((v - oneHot[n][k]) / 2, 15)));
    expect((layer.y!.toArray() as number[][])[1][1]).toBeCloseTo(y[1][1], 15);
  });

  it('gives the same loss and gradient for int32 labels as for one-hot rows', () => {
    const a = new SoftmaxWithLossLayer();
    const b = new SoftmaxWithLossLayer();
    const lossA = a.forward(tensor(x), tensor(oneHot));
    const lossB = b.forward(tensor(x), tensor([0, 2], { dtype: 'int32' }));
    expect(lossB).toBeCloseTo(lossA, 15);
    expect(b.backward()).toBeAllClose(a.backward(), { atol: 1e-15 });
  });

  it('scales the gradient by dout', () => {
    const layer = new SoftmaxWithLossLayer();
    layer.forward(tensor(x), tensor([0, 2], { dtype: 'int32' }));
    const base = layer.backward();
    expect(layer.backward(3)).toBeAllClose(base.mul(3), { atol: 1e-15 });
  });

  it('matches central differences', () => {
    seed(11);
    const t = tensor([2, 0, 1, 1], { dtype: 'int32' });
    const layer = new SoftmaxWithLossLayer();
    const adapter = { forward: (s: Tensor) => layer.forward(s, t), backward: (d: number) => layer.backward(d) };
    expect(checkLayer(adapter, [randn([4, 3])], 0.7).ok).toBe(true);
  });

  it('treats a single example of shape (classes) as a batch of one', () => {
    const layer = new SoftmaxWithLossLayer();
    const loss = layer.forward(tensor([1, 2]), tensor(1, { dtype: 'int32' }));
    expect(loss).toBeCloseTo(Math.log(1 + Math.exp(-1)), 15);
    expect(layer.backward().shape).toEqual([2]);
  });

  it('refuses labels out of range and one-hot t of the wrong shape, naming the shapes', () => {
    const layer = new SoftmaxWithLossLayer();
    expect(() => layer.forward(tensor(x), tensor([0, 3], { dtype: 'int32' }))).toThrow(
      'SoftmaxWithLossLayer.forward: label 3 is outside [0, 2] for x [2, 3]',
    );
    expect(() =>
      layer.forward(
        tensor(x),
        tensor([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(ShapeError);
    expect(() => layer.forward(tensor(x), tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(/int32 labels must have shape \[2\]/);
  });
});
