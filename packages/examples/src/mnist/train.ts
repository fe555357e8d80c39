/**
 * The MNIST training loop, apart from the CLI so tests can run it on a small subset. Everything random is drawn
 * from generators reseeded per purpose and per epoch from --seed, so the same seed gives the same loss sequence
 * bit for bit, and a run resumed after epoch k continues exactly as the uninterrupted run would have.
 */
import { Generator, type Tensor, noGrad, tensor } from '@tapegrad/core';
import {
  Adam,
  CosineAnnealingLR,
  type LRScheduler,
  OneCycleLR,
  type Optimizer,
  SGD,
  type Sequential,
  accuracy,
  crossEntropy,
  permutation,
  softmaxCrossEntropy,
} from '@tapegrad/nn';
import { type AffineRange, affineBatch } from './affine.js';
import { augmentBatch } from './augment.js';
import { type DigitSet, PIXELS } from './data.js';
import { CNN_CLEAN_EPOCHS, CNN_DISTORTION, CNN_LABEL_SMOOTHING, CNN_WARMUP, buildCnn } from './cnn.js';
import { buildModel } from './model.js';

export type OptimizerName = 'adam' | 'sgd';
/** The network: the MLP of model.ts, or the LeNet-style CNN of cnn.ts. */
export type ModelKind = 'mlp' | 'cnn';

export interface TrainConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerName;
  readonly hidden: readonly number[];
  /** Which network (default 'mlp'; `hidden` applies to the MLP only). */
  readonly model?: ModelKind;
  readonly seed: number;
  /** Dropout probability after each hidden ReLU. */
  readonly dropout: number;
  /** Random translation of training digits, in pixels (0 = none). */
  readonly shift: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly lr: number;
}

export interface TrainHooks {
  /** After every step: batch index, batches per epoch, the mean loss and accuracy so far in this epoch. */
  onStep?(step: number, steps: number, runningLoss: number, runningAccuracy: number): void;
  onEpochStart?(epoch: number, steps: number): void;
  onEpochEnd?(record: EpochRecord): void;
}

export interface Trainer {
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  readonly history: EpochRecord[];
  /** Every step's loss, in order (the determinism test compares these bit for bit). */
  readonly losses: number[];
  /** The generator the Dropout layers draw from (reseeded each epoch). */
  readonly noise: Generator;
  /** Epochs completed so far. */
  epochsDone: number;
}

/** One 32-bit seed per (run seed, purpose, epoch): independent streams that a resumed run can recreate. */
function streamSeed(seed: number, purpose: number, epoch: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(purpose, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35)) | 0;
}

/**
 * How far the CNN's training digits are distorted in `epoch` (0-based): CNN_DISTORTION with --shift, except in the
 * last CNN_CLEAN_EPOCHS epochs (never the first), which see the digits as they are, so the weights and BatchNorm
 * statistics end on the distribution the held-out digits come from.
 */
export function cnnDistortion(epoch: number, config: Pick<TrainConfig, 'epochs' | 'shift'>): AffineRange {
  const clean = epoch > 0 && epoch >= config.epochs - CNN_CLEAN_EPOCHS;
  return clean ? { rotate: 0, scale: 0, shift: 0 } : { ...CNN_DISTORTION, shift: config.shift };
}

const INIT = 1;
const SHUFFLE = 2;
const AUGMENT = 3;
const DROPOUT = 4;

/** A fresh model and optimiser for `config` (weights drawn from the seed). */
export function createTrainer(config: TrainConfig): Trainer {
  const noise = new Generator(0);
  const options = { dropout: config.dropout, init: new Generator(streamSeed(config.seed, INIT, 0)), noise };
  const model = config.model === 'cnn' ? buildCnn(options) : buildModel(config.hidden, options);
  const params = model.parameters();
  const optimizer =
    config.optimizer === 'sgd' ? new SGD(params, { lr: config.lr, momentum: 0.9, nesterov: true }) : new Adam(params, { lr: config.lr });
  return { model, optimizer, noise, history: [], losses: [], epochsDone: 0 };
}

/** Class predictions (int32 [N]) and logits for a whole set, in eval mode, in chunks. */
export function predict(model: Sequential, images: Tensor, chunk = 1000): { logits: Float32Array; classes: Int32Array } {
  const n = images.shape[0];
  const logits = new Float32Array(n * 10);
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      logits.set(model.forward(images.slice([start, 0], [size, -1])).data, start * 10);
    }
  });
  model.train(wasTraining);
  const classes = tensor(logits, { shape: [n, 10] }).argmax(-1).data as Int32Array;
  return { logits, classes };
}

/** Trains from `trainer.epochsDone` up to `config.epochs`, evaluating on `test` after each epoch. */
export function train(trainer: Trainer, config: TrainConfig, data: { train: DigitSet; test: DigitSet }, hooks: TrainHooks = {}): void {
  const { model, optimizer } = trainer;
  const images = data.train.images.data as Float32Array;
  const labels = data.train.labels.data as Int32Array;
  const n = data.train.labels.size;
  const steps = Math.ceil(n / config.batchSize);
  // The MLP: cosine annealing from config.lr over all epochs, in closed form per epoch. The CNN: one cycle over all
  // batches (cnn.ts), replayed up to the epochs already done, so a resumed run picks up its place exactly.
  optimizer.lr = config.lr;
  const cycle =
    config.model === 'cnn'
      ? new OneCycleLR(optimizer, { maxLr: config.lr, epochs: config.epochs, stepsPerEpoch: steps, pctStart: CNN_WARMUP })
      : null;
  const schedule: LRScheduler = cycle ?? new CosineAnnealingLR(optimizer, { tMax: config.epochs });
  for (let s = 0; cycle !== null && s < trainer.epochsDone * steps; s++) cycle.step();
  const shuffle = new Generator(0);
  const augment = new Generator(0);
  const noise = trainer.noise;
  model.train();
  for (let epoch = trainer.epochsDone; epoch < config.epochs; epoch++) {
    const started = performance.now();
    if (cycle === null) optimizer.lr = schedule.lrAt(epoch);
    shuffle.seed(streamSeed(config.seed, SHUFFLE, epoch));
    augment.seed(streamSeed(config.seed, AUGMENT, epoch));
    noise.seed(streamSeed(config.seed, DROPOUT, epoch));
    const order = permutation(n, shuffle);
    const distortion = cnnDistortion(epoch, config);
    hooks.onEpochStart?.(epoch, steps);
    let lossSum = 0;
    let hits = 0;
    let seen = 0;
    for (let step = 0; step < steps; step++) {
      const rows = order.subarray(step * config.batchSize, Math.min(n, (step + 1) * config.batchSize));
      const batch = new Float32Array(rows.length * PIXELS);
      if (config.model === 'cnn') affineBatch(images, rows, batch, distortion, augment);
      else augmentBatch(images, rows, batch, config.shift, augment);
      const y = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) y[i] = labels[rows[i]];
      const x = tensor(batch, { shape: [rows.length, PIXELS] });
      optimizer.zeroGrad();
      const logits = model.forward(x);
      const target = tensor(y, { shape: [rows.length] });
      // The CNN's targets are label-smoothed (PyTorch's cross_entropy(label_smoothing=...)); the MLP's are not.
      const loss =
        config.model === 'cnn'
          ? crossEntropy(logits, target, { labelSmoothing: CNN_LABEL_SMOOTHING })
          : softmaxCrossEntropy(logits, target);
      loss.backward();
      optimizer.step();
      cycle?.step();
      const value = loss.item();
      trainer.losses.push(value);
      lossSum += value * rows.length;
      hits += countHits(logits.data as Float32Array, y);
      seen += rows.length;
      hooks.onStep?.(step + 1, steps, lossSum / seen, hits / seen);
    }
    const test = predict(model, data.test.images);
    const record: EpochRecord = {
      epoch: epoch + 1,
      loss: lossSum / seen,
      trainAccuracy: hits / seen,
      testAccuracy: accuracy(tensor(test.classes), data.test.labels),
      seconds: (performance.now() - started) / 1000,
      lr: optimizer.lr,
    };
    trainer.history.push(record);
    trainer.epochsDone = epoch + 1;
    hooks.onEpochEnd?.(record);
  }
}

function countHits(logits: Float32Array, labels: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
    if (best === labels[i]) hits++;
  }
  return hits;
}
