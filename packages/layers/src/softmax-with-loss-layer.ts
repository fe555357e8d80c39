/**
 * SoftmaxWithLossLayer: y = softmax(x), loss = -(1/N) sum_n sum_k t_nk log y_nk. Built from the core's
 * logSoftmax (x - logSumExp) and elementwise rules, its backward works out to the book's (y - t) / N * dout.
 */
import { DTypeError, ShapeError, Tensor, noGrad } from '@tapegrad/core';
import { LocalGraph } from './local-graph.js';

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * The book's last layer. `t` is either one-hot (the same shape as x) or int32 class labels (one per row).
 * A single example of shape (classes) counts as a batch of one.
 * @example
 * const layer = new SoftmaxWithLossLayer();
 * const loss = layer.forward(tensor([[2, 1, 0]]), tensor([0], { dtype: 'int32' }));
 * const dx = layer.backward();   // (y - t) / 1
 */
export class SoftmaxWithLossLayer {
  private readonly graph = new LocalGraph('SoftmaxWithLossLayer');
  /** The softmax output of the last forward. */
  y: Tensor | null = null;
  /** The labels of the last forward, as given. */
  t: Tensor | null = null;
  /** The loss of the last forward. */
  loss: number | null = null;

  /** The mean cross-entropy of softmax(x) against labels t: one-hot (N, classes) or int32 class indices (N). */
  forward(x: Tensor, t: Tensor): number {
    if (!(x instanceof Tensor) || !(t instanceof Tensor)) throw new DTypeError('SoftmaxWithLossLayer.forward: x and t must be Tensors');
    if (x.rank !== 1 && x.rank !== 2)
      throw new ShapeError(`SoftmaxWithLossLayer.forward: x must be (N, classes) or (classes), got ${shapeText(x.shape)}`);
    const batch = x.rank === 2 ? x.shape[0] : 1;
    const classes = x.shape[x.rank - 1];
    const oneHotShape = t.shape.length === x.shape.length && t.shape.every((d, i) => d === x.shape[i]);
    const labels = t.dtype === 'int32' && !oneHotShape;
    if (labels) {
      const expected = x.rank === 2 ? [batch] : [];
      if (t.size !== batch || (t.rank !== expected.length && !(t.rank === 1 && t.size === 1))) {
        throw new ShapeError(
          `SoftmaxWithLossLayer.forward: int32 labels must have shape ${shapeText(expected)} for x ${shapeText(x.shape)}, got ${shapeText(t.shape)}`,
        );
      }
      for (const k of t.data) {
        if (k < 0 || k >= classes)
          throw new ShapeError(`SoftmaxWithLossLayer.forward: label ${k} is outside [0, ${classes - 1}] for x ${shapeText(x.shape)}`);
      }
    } else if (!oneHotShape) {
      throw new ShapeError(
        `SoftmaxWithLossLayer.forward: one-hot t must have the shape of x ${shapeText(x.shape)}, got ${shapeText(t.shape)}`,
      );
    }
    const out = this.graph.forward(
      [x, t],
      (xs: Tensor, ts: Tensor) => {
        const logY = xs.reshape([batch, classes]).logSoftmax(-1);
        const picked = labels ? logY.takeAlongAxis(ts.reshape([batch, 1]), -1) : logY.mul(ts.reshape([batch, classes]).cast(logY.dtype));
        return picked.sum().neg().div(batch);
      },
      [true, false],
    );
    this.t = t;
    this.y = noGrad(() => (this.graph.leaf(0) as Tensor).softmax(-1));
    this.loss = out.item();
    return this.loss;
  }

  /** Returns dx = (y - t) / N * dout (dout defaults to 1, as the loss is the end of the graph). */
  backward(dout: number = 1): Tensor {
    return this.graph.backward(dout)[0] as Tensor;
  }
}
