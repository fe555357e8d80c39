/**
 * Data helpers: a batching iterator over tensors that share their first axis, with seeded shuffling, and the
 * accuracy of predictions against labels. (`oneHot` lives with the losses' target handling.)
 */
import { DTypeError, Generator, ShapeError, type Tensor } from '@tapegrad/core';
import { brand } from './brand.js';

/** Options of `new DataLoader(tensors, options)`. */
export interface DataLoaderOptions {
  /** Rows per batch (default 32). */
  readonly batchSize?: number;
  /** Reorder the rows each epoch (default false). */
  readonly shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  readonly dropLast?: boolean;
  /** Drives the shuffle; pass a seeded one for a reproducible order (default Generator(0)). */
  readonly generator?: Generator;
}

/**
 * Iterates over aligned tensors (inputs, labels, ...) in batches along the first axis. Each iteration is one
 * epoch; with `shuffle`, each epoch draws a new order from the generator (Fisher-Yates), so the same seed gives
 * the same batches.
 * @example
 * const loader = new DataLoader([x, labels], { batchSize: 128, shuffle: true, generator: new Generator(0) });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader implements Iterable<Tensor[]> {
  static {
    brand(this, 'DataLoader');
  }
  /** Rows per batch. */
  readonly batchSize: number;
  /** Whether each epoch reorders the rows. */
  readonly shuffle: boolean;
  /** Whether a short last batch is dropped. */
  readonly dropLast: boolean;
  /** The number of rows. */
  readonly length: number;
  private readonly generator: Generator;

  constructor(
    /** The aligned tensors, batched along axis 0. */
    readonly tensors: readonly Tensor[],
    options: DataLoaderOptions = {},
  ) {
    if (tensors.length === 0) throw new ShapeError('DataLoader: needs at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.rank === 0 || t.shape[0] !== n) {
        throw new ShapeError(`DataLoader: tensor ${i} has shape [${t.shape.join(', ')}]; every tensor needs the same first axis (${n})`);
      }
    });
    this.batchSize = options.batchSize ?? 32;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0))
      throw new ShapeError(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? new Generator(0);
    this.length = n;
  }

  /** Batches per epoch. */
  get numBatches(): number {
    return this.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  /** One epoch: the batches, one array of tensors (in the order given) per batch. */
  *[Symbol.iterator](): Iterator<Tensor[]> {
    const order = this.shuffle ? permutation(this.length, this.generator) : null;
    for (let b = 0; b < this.numBatches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, this.length);
      if (order === null) {
        yield this.tensors.map((t) => t.slice([start], [end - start]).detach());
      } else {
        const idx = order.subarray(start, end);
        yield this.tensors.map((t) => t.detach().gather(Array.from(idx), 0));
      }
    }
  }
}

/**
 * A uniformly random permutation of 0..n-1 (Fisher-Yates) drawn from `generator`.
 * @example permutation(5, new Generator(1));   // e.g. Int32Array [3, 0, 4, 1, 2], the same every run
 */
export function permutation(n: number, generator: Generator): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * The fraction of rows whose prediction equals the label. `predictions` is logits/probabilities [N, C] (argmax
 * taken) or int32 class indices [N]; `labels` is int32 [N] or one-hot [N, C].
 * @example accuracy(model.forward(x), labels);   // e.g. 0.97
 */
export function accuracy(predictions: Tensor, labels: Tensor): number {
  const pred = predictions.rank === 2 ? predictions.argmax(-1) : predictions;
  const truth = labels.rank === 2 ? labels.argmax(-1) : labels;
  if (pred.dtype !== 'int32' || truth.dtype !== 'int32') {
    throw new DTypeError(
      `accuracy: expected class scores [N, C] or int32 classes [N], got ${predictions.dtype} [${predictions.shape.join(', ')}] and ${labels.dtype} [${labels.shape.join(', ')}]`,
    );
  }
  if (pred.shape[0] !== truth.shape[0] || pred.rank !== 1 || truth.rank !== 1) {
    throw new ShapeError(
      `accuracy: predictions [${predictions.shape.join(', ')}] and labels [${labels.shape.join(', ')}] do not describe the same rows`,
    );
  }
  if (pred.size === 0) return 0;
  let hits = 0;
  for (let i = 0; i < pred.size; i++) if (pred.data[i] === truth.data[i]) hits++;
  return hits / pred.size;
}
