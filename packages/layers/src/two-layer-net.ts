/**
 * TwoLayerNet in the book's layered style: Affine -> ReLU (or Sigmoid) -> Affine -> SoftmaxWithLoss, with
 * gradients from calling each layer's backward in reverse order. `gradientByTape` computes the same
 * gradients the tape way (one expression, one backward), so the two styles can be read side by side.
 */
import { type Generator, type Tensor, randn, zeros } from '@tapegrad/core';
import { AffineLayer } from './affine-layer.js';
import { ReluLayer } from './relu-layer.js';
import { SigmoidLayer } from './sigmoid-layer.js';
import { SoftmaxWithLossLayer } from './softmax-with-loss-layer.js';

/** How a TwoLayerNet is initialised and which hidden activation it uses. */
export interface TwoLayerNetOptions {
  /** Standard deviation of the initial weights (the book's weight_init_std); default 0.01. */
  readonly weightInitStd?: number;
  /** The hidden activation; default 'relu' as in the book. */
  readonly activation?: 'relu' | 'sigmoid';
  /** Random source for the initial weights; default the global generator. */
  readonly generator?: Generator;
}

/** The network's parameters, or their gradients, by the book's names. */
/** The book's parameter dictionary: two Affine layers' weights and biases. */
export interface TwoLayerParams {
  /** First Affine weight, [inputSize, hiddenSize]. */
  W1: Tensor;
  /** First Affine bias, [hiddenSize]. */
  b1: Tensor;
  /** Second Affine weight, [hiddenSize, outputSize]. */
  W2: Tensor;
  /** Second Affine bias, [outputSize]. */
  b2: Tensor;
}

/**
 * @example
 * const net = new TwoLayerNet(2, 4, 2, { activation: 'sigmoid', weightInitStd: 1 });
 * const grads = net.gradient(x, t);                         // layer by layer
 * for (const k of ['W1', 'b1', 'W2', 'b2'] as const) net.params[k].addInPlace(grads[k], -0.5);
 */
export class TwoLayerNet {
  /** The parameters, shared with the Affine layers (updating them in place updates the net). */
  readonly params: TwoLayerParams;
  /** Affine, activation, Affine: the layers `predict` runs in order. */
  readonly layers: ReadonlyArray<AffineLayer | ReluLayer | SigmoidLayer>;
  /** Softmax-with-loss on top, used by `loss` and `gradient`. */
  readonly lastLayer = new SoftmaxWithLossLayer();
  private readonly affine1: AffineLayer;
  private readonly affine2: AffineLayer;

  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    private readonly options: TwoLayerNetOptions = {},
  ) {
    const std = options.weightInitStd ?? 0.01;
    const generator = options.generator;
    this.params = {
      W1: randn([inputSize, hiddenSize], { std, generator, name: 'W1' }),
      b1: zeros([hiddenSize], { name: 'b1' }),
      W2: randn([hiddenSize, outputSize], { std, generator, name: 'W2' }),
      b2: zeros([outputSize], { name: 'b2' }),
    };
    this.affine1 = new AffineLayer(this.params.W1, this.params.b1);
    this.affine2 = new AffineLayer(this.params.W2, this.params.b2);
    const hidden = options.activation === 'sigmoid' ? new SigmoidLayer() : new ReluLayer();
    this.layers = [this.affine1, hidden, this.affine2];
  }

  /** The scores (before softmax) for a batch. */
  predict(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h) as Tensor;
    return h;
  }

  /** The mean cross-entropy loss of a batch against one-hot or int32 labels. */
  loss(x: Tensor, t: Tensor): number {
    return this.lastLayer.forward(this.predict(x), t);
  }

  /** The fraction of rows whose highest score is the labelled class. */
  accuracy(x: Tensor, t: Tensor): number {
    const predicted = this.predict(x).argmax(-1).data;
    const labels = t.dtype === 'int32' ? t.data : t.argmax(-1).data;
    let hits = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) hits++;
    return hits / predicted.length;
  }

  /** Gradients by backpropagation through the layer objects, last layer first. */
  gradient(x: Tensor, t: Tensor): TwoLayerParams {
    this.loss(x, t);
    let dout: Tensor = this.lastLayer.backward(1);
    for (let i = this.layers.length - 1; i >= 0; i--) dout = this.layers[i].backward(dout) as Tensor;
    return { W1: this.affine1.dW!, b1: this.affine1.db!, W2: this.affine2.dW!, b2: this.affine2.db! };
  }

  /** The same gradients from the tape: the loss written as one expression of core ops, then one backward. */
  gradientByTape(x: Tensor, t: Tensor): TwoLayerParams {
    const p = this.params;
    const [W1, b1, W2, b2] = [p.W1, p.b1, p.W2, p.b2].map((w) => w.detach().setRequiresGrad());
    const pre = x.reshape([x.shape[0], W1.shape[0]]).matmul(W1).add(b1);
    const hidden = this.options.activation === 'sigmoid' ? pre.sigmoid() : pre.relu();
    const logY = hidden.matmul(W2).add(b2).logSoftmax(-1);
    const n = x.shape[0];
    const picked = t.dtype === 'int32' ? logY.takeAlongAxis(t.reshape([n, 1]), -1) : logY.mul(t);
    picked.sum().neg().div(n).backward();
    return { W1: W1.grad!, b1: b1.grad!, W2: W2.grad!, b2: b2.grad! };
  }
}
