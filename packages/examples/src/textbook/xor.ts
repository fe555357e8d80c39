/**
 * Seed 004's XOR problem: no single line separates XOR's classes, so a network needs a hidden layer. A
 * TwoLayerNet (Affine -> Sigmoid -> Affine -> SoftmaxWithLoss) learns it by plain gradient descent, with
 * gradients from the layer objects' backward calls.
 */
import { Generator, type Tensor, tensor } from '@tapegrad/core';
import { TwoLayerNet } from '@tapegrad/layers';

export const XOR_INPUTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
] as const;
export const XOR_TARGETS = [0, 1, 1, 0] as const;

export interface XorOptions {
  readonly hidden?: number;
  readonly epochs?: number;
  readonly lr?: number;
  readonly seed?: number;
}

export interface XorResult {
  readonly net: TwoLayerNet;
  /** Loss at epoch 0 and after training. */
  readonly firstLoss: number;
  readonly finalLoss: number;
  /** Per input row: P(class 1) and the predicted class. */
  readonly probabilities: readonly number[];
  readonly predictions: readonly number[];
  /** The first epoch after which every row was classified right, or null. */
  readonly solvedAt: number | null;
}

export function trainXor(options: XorOptions = {}): XorResult {
  const { hidden = 4, epochs = 2000, lr = 1, seed = 1 } = options;
  const x = tensor(XOR_INPUTS.map((r) => [...r]));
  const t = tensor([...XOR_TARGETS], { dtype: 'int32' });
  const net = new TwoLayerNet(2, hidden, 2, { activation: 'sigmoid', weightInitStd: 1, generator: new Generator(seed) });
  const firstLoss = net.loss(x, t);
  let solvedAt: number | null = null;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const grads = net.gradient(x, t);
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const) net.params[k].addInPlace(grads[k], -lr);
    if (solvedAt === null && net.accuracy(x, t) === 1) solvedAt = epoch;
  }
  const finalLoss = net.loss(x, t);
  const y = net.lastLayer.y as Tensor;
  const probabilities = [0, 1, 2, 3].map((n) => y.data[n * 2 + 1]);
  return { net, firstLoss, finalLoss, probabilities, predictions: probabilities.map((p) => (p > 0.5 ? 1 : 0)), solvedAt };
}
