/**
 * Training an MLP on a 2-D data set with the real @tapegrad/nn: full-batch steps of softmax cross-entropy,
 * and the model's class probabilities over a grid for the decision boundary. Runs in the Web Worker, and
 * in Node for the tests: nothing here touches the DOM.
 */
import { Generator, type Tensor, noGrad, tensor } from '@tapegrad/core';
import { Adam, MLP, type Optimizer, SGD, softmaxCrossEntropy } from '@tapegrad/nn';
import { exportOnnx } from '@tapegrad/onnx';
import type { TrainConfig } from './config.js';
import { type Dataset, EXTENT, makeDataset } from './datasets.js';

export class Trainer {
  readonly data: Dataset;
  readonly model: MLP;
  private readonly optimiser: Optimizer;
  private readonly inputs: Tensor;
  private readonly labels: Tensor;
  steps = 0;

  constructor(readonly config: TrainConfig) {
    if (config.dataset === 'digits') throw new Error('Trainer: the digits are trained by DigitTrainer (digit-trainer.ts)');
    this.data = makeDataset(config.dataset, config.seed);
    this.model = new MLP([2, ...config.hidden, this.data.classes], {
      activation: config.activation,
      generator: new Generator(config.seed),
    });
    const params = this.model.parameters();
    this.optimiser = config.optimiser === 'adam' ? new Adam(params, { lr: config.lr }) : new SGD(params, { lr: config.lr, momentum: 0.9 });
    this.inputs = tensor(this.data.x, { shape: [this.data.count, 2] });
    this.labels = tensor(this.data.y, { shape: [this.data.count], dtype: 'int32' });
  }

  /** One optimiser step on the whole data set; returns the loss before the step. */
  step(): number {
    this.optimiser.zeroGrad();
    const loss = softmaxCrossEntropy(this.model.forward(this.inputs), this.labels);
    loss.backward();
    this.optimiser.step();
    this.steps++;
    return loss.item();
  }

  /** The fraction of training points whose most probable class is their label. */
  accuracy(): number {
    const predicted = noGrad(() => this.model.forward(this.inputs).argmax(-1)).data;
    let right = 0;
    for (let i = 0; i < this.data.count; i++) if (predicted[i] === this.data.y[i]) right++;
    return right / this.data.count;
  }

  /**
   * Class probabilities at the centres of a `resolution` x `resolution` grid over the drawn square, row by
   * row from the top: `resolution² * classes` numbers.
   */
  probabilityGrid(resolution: number): Float32Array {
    const grid = tensor(gridPoints(resolution), { shape: [resolution * resolution, 2] });
    return Float32Array.from(noGrad(() => this.model.forward(grid).softmax(-1)).data);
  }

  /** The network as an ONNX model: float32, input 'point' [batch, 2], output 'logits' [batch, classes]. */
  toOnnx(): Uint8Array {
    return exportOnnx(this.model, {
      inputShape: [null, 2],
      inputName: 'point',
      outputName: 'logits',
      docString: `tapegrad playground: ${this.config.dataset} after ${this.steps} steps; softmax the logits for class probabilities`,
    });
  }
}

/** The centres of a `resolution` x `resolution` grid over the drawn square, row by row from the top, as (x, y) pairs. */
export function gridPoints(resolution: number): Float64Array {
  const points = new Float64Array(resolution * resolution * 2);
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      const i = r * resolution + c;
      points[2 * i] = -EXTENT + ((c + 0.5) * 2 * EXTENT) / resolution;
      points[2 * i + 1] = EXTENT - ((r + 0.5) * 2 * EXTENT) / resolution;
    }
  }
  return points;
}
