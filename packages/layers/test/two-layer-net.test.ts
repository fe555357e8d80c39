import { Generator, type Tensor, tensor } from '@tapegrad/core';
import { gradcheck } from '@tapegrad/gradcheck';
import { TwoLayerNet } from '@tapegrad/layers';

describe('TwoLayerNet', () => {
  const x = tensor([
    [0.2, -1.0, 0.5],
    [1.5, 0.3, -0.7],
    [-0.4, 0.8, 1.1],
    [0.9, -0.2, 0.05],
  ]);
  const t = tensor([1, 0, 1, 0], { dtype: 'int32' });

  for (const activation of ['relu', 'sigmoid'] as const) {
    it(`gets the same gradients layer by layer and from the tape (${activation})`, () => {
      const net = new TwoLayerNet(3, 5, 2, { activation, weightInitStd: 0.8, generator: new Generator(7) });
      const layered = net.gradient(x, t);
      const taped = net.gradientByTape(x, t);
      for (const k of ['W1', 'b1', 'W2', 'b2'] as const) expect(layered[k]).toBeAllClose(taped[k], { atol: 1e-14 });
    });

    it(`has layer gradients equal to numerical ones (${activation})`, () => {
      const net = new TwoLayerNet(3, 5, 2, { activation, weightInitStd: 0.8, generator: new Generator(9) });
      const grads = net.gradient(x, t);
      const p = net.params;
      const lossOf = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) => {
        const h = x.matmul(W1).add(b1);
        const a = activation === 'relu' ? h.relu() : h.sigmoid();
        return a
          .matmul(W2)
          .add(b2)
          .logSoftmax(-1)
          .takeAlongAxis(t.reshape([4, 1]), -1)
          .mean()
          .neg();
      };
      const leaves = [p.W1, p.b1, p.W2, p.b2].map((w) => w.detach().setRequiresGrad());
      expect(gradcheck(lossOf, leaves).ok).toBe(true);
      lossOf(...(leaves as [Tensor, Tensor, Tensor, Tensor])).backward();
      expect(grads.W1).toBeAllClose(leaves[0].grad!, { atol: 1e-12 });
      expect(grads.b2).toBeAllClose(leaves[3].grad!, { atol: 1e-12 });
    });
  }

  it('reports accuracy as the fraction of rows whose top score is the label', () => {
    const net = new TwoLayerNet(3, 2, 2, { generator: new Generator(1) });
    // Scores = relu(first two features): rows score (0.2, 0), (1.5, 0.3), (0, 0.8), (0.9, 0) -> classes 0, 0, 1, 0.
    net.params.W1.assign(
      tensor([
        [1, 0],
        [0, 1],
        [0, 0],
      ]),
    );
    net.params.W2.assign(
      tensor([
        [1, 0],
        [0, 1],
      ]),
    );
    expect(net.accuracy(x, t)).toBe(0.75);
  });
});
