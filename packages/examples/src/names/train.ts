/**
 * Training the names transformer: AdamW over shuffled batches of training names, cosine-annealed per epoch, the
 * held-out names' loss (mean negative log-likelihood per predicted character, as the bigram baseline's) after each
 * epoch. Every random draw (weights, shuffling, dropout, sampling) comes from generators seeded from --seed per
 * purpose and per epoch, so the same seed gives the same run and a resumed run continues it exactly.
 */
import { Generator, type Tensor, multinomial, noGrad, tensor } from '@tapegrad/core';
import { AdamW, CosineAnnealingLR, crossEntropy, permutation } from '@tapegrad/nn';
import { type NameSplit, encodeBatch } from './data.js';
import { NameTransformer } from './model.js';

/** The settings of a run (saved in the checkpoint). */
export interface NamesConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly width: number;
  readonly heads: number;
  readonly layers: number;
  readonly dropout: number;
  readonly seed: number;
}

/** One epoch's figures. */
export interface NamesEpoch {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches (nats per character). */
  readonly trainLoss: number;
  /** Held-out loss after the epoch (nats per character). */
  readonly heldOutLoss: number;
  readonly lr: number;
  readonly seconds: number;
}

/** The model, its optimiser and the run so far. */
export interface NamesTrainer {
  readonly model: NameTransformer;
  readonly optimizer: AdamW;
  readonly generator: Generator;
  readonly history: NamesEpoch[];
  epochsDone: number;
}

const INIT = 1;
const SHUFFLE = 2;
const DROPOUT = 3;
const SAMPLE = 4;

/** One 32-bit seed per (run seed, purpose, epoch). */
export function streamSeed(seed: number, purpose: number, epoch: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(purpose, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35)) | 0;
}

/** A fresh model (weights from the seed) and optimiser for `config` on `data`'s vocabulary and block size. */
export function createNamesTrainer(config: NamesConfig, data: Pick<NameSplit, 'vocabulary' | 'blockSize'>): NamesTrainer {
  const generator = new Generator(streamSeed(config.seed, INIT, 0));
  const model = new NameTransformer(
    {
      vocabSize: data.vocabulary.size,
      blockSize: data.blockSize,
      width: config.width,
      heads: config.heads,
      layers: config.layers,
      dropout: config.dropout,
    },
    generator,
  );
  const optimizer = new AdamW(model.parameters(), { lr: config.lr, weightDecay: 0.01 });
  return { model, optimizer, generator, history: [], epochsDone: 0 };
}

/** Cross-entropy of the next-character logits against the targets, over the positions that hold a character. */
function lossOf(model: NameTransformer, names: readonly string[], data: NameSplit): Tensor {
  const { inputs, targets } = encodeBatch(names, data.vocabulary, data.blockSize);
  const logits = model.forward(inputs);
  const [n, T, V] = logits.shape;
  return crossEntropy(logits.reshape([n * T, V]), targets.reshape([n * T]));
}

/** Mean loss per predicted character over `names`, in eval mode, in chunks. */
export function evaluate(model: NameTransformer, names: readonly string[], data: NameSplit, chunk = 500): number {
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  let count = 0;
  noGrad(() => {
    for (let start = 0; start < names.length; start += chunk) {
      const part = names.slice(start, start + chunk);
      const characters = part.reduce((n, name) => n + name.length + 1, 0);
      sum += lossOf(model, part, data).item() * characters;
      count += characters;
    }
  });
  model.train(wasTraining);
  return sum / count;
}

/** Called as training goes. */
export interface NamesHooks {
  onStep?(step: number, steps: number, loss: number): void;
  onEpochEnd?(record: NamesEpoch): void;
}

/** Trains from `trainer.epochsDone` up to `config.epochs`, measuring the held-out loss after each epoch. */
export function trainNames(trainer: NamesTrainer, config: NamesConfig, data: NameSplit, hooks: NamesHooks = {}): void {
  const { model, optimizer, generator } = trainer;
  const n = data.train.length;
  const steps = Math.ceil(n / config.batchSize);
  optimizer.lr = config.lr;
  const schedule = new CosineAnnealingLR(optimizer, { tMax: config.epochs });
  const shuffle = new Generator(0);
  model.train();
  for (let epoch = trainer.epochsDone; epoch < config.epochs; epoch++) {
    const started = performance.now();
    optimizer.lr = schedule.lrAt(epoch);
    shuffle.seed(streamSeed(config.seed, SHUFFLE, epoch));
    generator.seed(streamSeed(config.seed, DROPOUT, epoch));
    const order = permutation(n, shuffle);
    let lossSum = 0;
    for (let step = 0; step < steps; step++) {
      const rows = order.subarray(step * config.batchSize, Math.min(n, (step + 1) * config.batchSize));
      optimizer.zeroGrad();
      const loss = lossOf(
        model,
        Array.from(rows, (r) => data.train[r]),
        data,
      );
      loss.backward();
      optimizer.step();
      lossSum += loss.item();
      hooks.onStep?.(step + 1, steps, lossSum / (step + 1));
    }
    const record: NamesEpoch = {
      epoch: epoch + 1,
      trainLoss: lossSum / steps,
      heldOutLoss: evaluate(model, data.heldOut, data),
      lr: optimizer.lr,
      seconds: (performance.now() - started) / 1000,
    };
    trainer.history.push(record);
    trainer.epochsDone = epoch + 1;
    hooks.onEpochEnd?.(record);
  }
}

/**
 * `count` new names, one character at a time from the model's next-character distribution (temperature 1) until
 * each draws '.', seeded from `seed`: all names advance together, one forward pass and one `multinomial` draw per
 * row per position (rows of finished names are drawn too and ignored, so every name's draws stay in step).
 */
export function sampleNames(
  model: NameTransformer,
  data: Pick<NameSplit, 'vocabulary' | 'blockSize'>,
  count: number,
  seed: number,
): string[] {
  const generator = new Generator(streamSeed(seed, SAMPLE, 0));
  const V = data.vocabulary.size;
  const T = data.blockSize;
  const tokens = new Int32Array(count * T);
  const done = new Array<boolean>(count).fill(false);
  const names = new Array<string>(count).fill('');
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let t = 0; t < T && done.includes(false); t++) {
      const context = new Int32Array(count * (t + 1));
      for (let i = 0; i < count; i++) context.set(tokens.subarray(i * T, i * T + t + 1), i * (t + 1));
      const logits = model.forward(tensor(context, { shape: [count, t + 1] }));
      const probs = logits.slice([0, t], [count, 1]).reshape([count, V]).softmax(-1);
      const drawn = multinomial(probs, 1, { generator }).data;
      for (let i = 0; i < count; i++) {
        if (done[i]) continue;
        const next = t === T - 1 ? 0 : drawn[i];
        if (next === 0) done[i] = true;
        else {
          names[i] += data.vocabulary.chars[next];
          tokens[i * T + t + 1] = next;
        }
      }
    }
  });
  model.train(wasTraining);
  return names;
}
