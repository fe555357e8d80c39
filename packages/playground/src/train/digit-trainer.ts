/**
 * Training on the digits (digits.ts) with the real @tapegrad/nn: a small LeNet-style CNN, or an MLP on the flat
 * pixels, in minibatch steps of softmax cross-entropy; accuracy is measured on the held-out digits. Runs in the Web
 * Worker, and in Node for the tests: nothing here touches the DOM.
 */
import { Generator, noGrad, tensor } from '@tapegrad/core';
import {
  Adam,
  Conv2d,
  Flatten,
  Linear,
  MLP,
  MaxPool2d,
  type Optimizer,
  ReLU,
  SGD,
  Sequential,
  Unflatten,
  permutation,
  softmaxCrossEntropy,
} from '@tapegrad/nn';
import { exportOnnx } from '@tapegrad/onnx';
import type { TrainConfig } from './config.js';
import { DIGIT_CLASSES, DIGIT_PIXELS, DIGIT_SIDE, type Digits } from './digits.js';

/** The CNN's channels: conv5x5(8)-ReLU-pool-conv5x5(16)-ReLU-pool-linear(784 -> 10), about 11k weights. */
export const CNN_CHANNELS = [8, 16] as const;
/** Digits per training step. */
export const DIGIT_BATCH = 50;

/** `CNN conv5x5(8)-ReLU-pool-conv5x5(16)-ReLU-pool-FC10`, or the MLP's sizes, for the status line. */
export function describeDigitModel(config: TrainConfig): string {
  if (config.model === 'cnn') return `CNN conv5x5(${CNN_CHANNELS[0]})-ReLU-pool-conv5x5(${CNN_CHANNELS[1]})-ReLU-pool-FC${DIGIT_CLASSES}`;
  return `MLP ${[DIGIT_PIXELS, ...config.hidden, DIGIT_CLASSES].join(' → ')}, ${config.activation}`;
}

function buildModel(config: TrainConfig, generator: Generator): Sequential | MLP {
  if (config.model !== 'cnn')
    return new MLP([DIGIT_PIXELS, ...config.hidden, DIGIT_CLASSES], { activation: config.activation, generator, dtype: 'float32' });
  const [c1, c2] = CNN_CHANNELS;
  const f32 = { dtype: 'float32', generator } as const;
  const side = DIGIT_SIDE / 4;
  return new Sequential(
    new Unflatten(1, [1, DIGIT_SIDE, DIGIT_SIDE]),
    new Conv2d(1, c1, 5, { padding: 2, ...f32 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(c1, c2, 5, { padding: 2, ...f32 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(c2 * side * side, DIGIT_CLASSES, f32),
  );
}

export class DigitTrainer {
  readonly model: Sequential | MLP;
  private readonly optimiser: Optimizer;
  private readonly shuffle: Generator;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  steps = 0;

  constructor(
    readonly config: TrainConfig,
    readonly digits: Digits,
  ) {
    this.model = buildModel(config, new Generator(config.seed));
    this.shuffle = new Generator(config.seed + 1);
    const params = this.model.parameters();
    this.optimiser = config.optimiser === 'adam' ? new Adam(params, { lr: config.lr }) : new SGD(params, { lr: config.lr, momentum: 0.9 });
  }

  /** One optimiser step on the next DIGIT_BATCH training digits (reshuffled every pass); returns its loss. */
  step(): number {
    const { images, labels, count } = this.digits.train;
    if (this.cursor >= this.order.length) {
      this.order = permutation(count, this.shuffle);
      this.cursor = 0;
    }
    const rows = this.order.subarray(this.cursor, Math.min(count, this.cursor + DIGIT_BATCH));
    this.cursor += rows.length;
    const x = new Float32Array(rows.length * DIGIT_PIXELS);
    const y = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      x.set(images.subarray(r * DIGIT_PIXELS, (r + 1) * DIGIT_PIXELS), i * DIGIT_PIXELS);
      y[i] = labels[r];
    });
    this.optimiser.zeroGrad();
    const loss = softmaxCrossEntropy(
      this.model.forward(tensor(x, { shape: [rows.length, DIGIT_PIXELS] })),
      tensor(y, { shape: [rows.length] }),
    );
    loss.backward();
    this.optimiser.step();
    this.steps++;
    return loss.item();
  }

  /** The predicted class of every held-out digit. */
  predictions(): Int32Array {
    const { images, count } = this.digits.test;
    return noGrad(() => this.model.forward(tensor(images, { shape: [count, DIGIT_PIXELS] })).argmax(-1)).data as Int32Array;
  }

  /** The fraction of `predicted` (held-out predictions) that are right. */
  accuracy(predicted: Int32Array = this.predictions()): number {
    const { labels, count } = this.digits.test;
    let right = 0;
    for (let i = 0; i < count; i++) if (predicted[i] === labels[i]) right++;
    return right / count;
  }

  /** The network as an ONNX model: float32, input 'image' [batch, 784] (rows of pixels in [0, 1]), output 'logits' [batch, 10]. */
  toOnnx(): Uint8Array {
    return exportOnnx(this.model, {
      inputShape: [null, DIGIT_PIXELS],
      inputName: 'image',
      outputName: 'logits',
      docString: `tapegrad playground: ${describeDigitModel(this.config)} on the digits after ${this.steps} steps; softmax the logits for class probabilities`,
    });
  }
}
