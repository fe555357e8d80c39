/**
 * The MNIST workload's inputs: the main job's 8,000 training digits (the same deterministic split `tapegrad mnist`
 * trains on) cut into batches in their stored order, and the main job's model and Adam optimiser built by its own
 * `createTrainer`. No shuffling, augmentation or dropout, so every peer sees the same batches in the same order and
 * the step-1 losses must agree. TF.js copies its starting weights from this model.
 */
import { DEFAULTS, PIXELS, type Trainer, createTrainer, loadMnist } from '@tapegrad/examples/mnist';
import { MNIST_BATCH, MNIST_TRAIN_DIGITS } from './cases.js';

/** One batch: float32 pixels [size, 784] row-major and int32 labels [size]. */
export interface MnistBatch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

export interface MnistEpochSetup {
  readonly batches: readonly MnistBatch[];
  /** The main job's model (784-256-128-10, He-uniform weights from its default seed) and its Adam, lr 1e-3. */
  readonly trainer: Trainer;
}

/**
 * The first `batchCount` batches of the training set (all 63 make an epoch) and a fresh model and optimiser.
 * @example const { batches, trainer } = await mnistEpochSetup(63);   // batches[62].size === 64
 */
export async function mnistEpochSetup(batchCount: number): Promise<MnistEpochSetup> {
  const { train } = await loadMnist({ testLimit: 1 });
  const n = train.labels.size;
  if (n !== MNIST_TRAIN_DIGITS)
    throw new Error(`MNIST bench: expected ${MNIST_TRAIN_DIGITS} training digits from the main job's split, got ${n}`);
  const available = Math.ceil(n / MNIST_BATCH);
  if (!(Number.isInteger(batchCount) && batchCount >= 1 && batchCount <= available)) {
    throw new Error(`MNIST bench: batch count must be a whole number in [1, ${available}], got ${batchCount}`);
  }
  const images = train.images.data as Float32Array;
  const labels = train.labels.data as Int32Array;
  const batches: MnistBatch[] = [];
  for (let b = 0; b < batchCount; b++) {
    const start = b * MNIST_BATCH;
    const end = Math.min(n, start + MNIST_BATCH);
    batches.push({ images: images.slice(start * PIXELS, end * PIXELS), labels: labels.slice(start, end), size: end - start });
  }
  const trainer = createTrainer({
    epochs: 1,
    batchSize: MNIST_BATCH,
    lr: DEFAULTS.adamLr,
    optimizer: 'adam',
    hidden: DEFAULTS.hidden,
    seed: DEFAULTS.seed,
    dropout: 0,
    shift: 0,
  });
  return { batches, trainer };
}
