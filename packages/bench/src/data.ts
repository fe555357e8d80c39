/**
 * The seeded inputs and starting parameters every peer receives: generated once here, in plain JavaScript, so
 * tapegrad, TensorFlow.js and the references start from bit-identical float32 values.
 */

/** mulberry32: a tiny, well-mixed 32-bit generator; independent of tapegrad's own RNG on purpose. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniformArray(size: number, low: number, high: number, next: () => number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = low + (high - low) * next();
  return out;
}

/** A float32 matrix (or vector) with its shape, row-major. */
export interface HostArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export interface MlpData {
  readonly x: HostArray;
  readonly labels: Int32Array;
  /** W1, b1, W2, b2, W3, b3 with W of shape [in, out]. */
  readonly params: readonly HostArray[];
  readonly learningRate: number;
}

/** W1: a 784-256-128-10 ReLU MLP on one batch of 128, softmax cross-entropy, plain SGD. */
export function mlpData(batch = 128, sizes: readonly number[] = [784, 256, 128, 10]): MlpData {
  const next = seededUniform(1);
  const x = { data: uniformArray(batch * sizes[0], 0, 1, next), shape: [batch, sizes[0]] };
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = Math.floor(next() * sizes[sizes.length - 1]);
  const params: HostArray[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    // PyTorch's default Linear init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases.
    const bound = 1 / Math.sqrt(sizes[l]);
    params.push({ data: uniformArray(sizes[l] * sizes[l + 1], -bound, bound, next), shape: [sizes[l], sizes[l + 1]] });
    params.push({ data: uniformArray(sizes[l + 1], -bound, bound, next), shape: [sizes[l + 1]] });
  }
  return { x, labels, params, learningRate: 0.05 };
}

/** W2: two n x n float32 matrices with entries in [-1, 1). */
export function matmulData(n: number): { a: HostArray; b: HostArray } {
  const next = seededUniform(2 + n);
  return { a: { data: uniformArray(n * n, -1, 1, next), shape: [n, n] }, b: { data: uniformArray(n * n, -1, 1, next), shape: [n, n] } };
}

export interface ScalarMlpData {
  /** Layer sizes, e.g. [2, 16, 16, 1]. */
  readonly sizes: readonly number[];
  /** Per layer, per neuron: nin weights then the bias, as plain numbers (micrograd's U(-1, 1) init). */
  readonly weights: readonly (readonly (readonly number[])[])[];
  readonly xs: readonly (readonly number[])[];
  readonly ys: readonly number[];
}

/** W3: micrograd's demo shape: a 2-16-16-1 tanh MLP over 100 two-dimensional samples with targets of +-1. */
export function scalarMlpData(samples = 100, sizes: readonly number[] = [2, 16, 16, 1]): ScalarMlpData {
  const next = seededUniform(3);
  const weights = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const layer = [];
    for (let j = 0; j < sizes[l + 1]; j++) layer.push(Array.from({ length: sizes[l] + 1 }, () => 2 * next() - 1));
    weights.push(layer);
  }
  const xs = Array.from({ length: samples }, () => [2 * next() - 1, 2 * next() - 1]);
  const ys = xs.map(([a, b]) => (a * b > 0 ? 1 : -1));
  return { sizes, weights, xs, ys };
}

/** W4: x of 1e6 float32 values in [-2, 2), and the scalar parameters w and b. */
export function tanhSumData(size = 1_000_000): { x: Float32Array; w: number; b: number } {
  const next = seededUniform(4);
  return { x: uniformArray(size, -2, 2, next), w: 0.75, b: -0.25 };
}

export interface LenetData {
  /** Images [batch, 1, 28, 28] (NCHW) in [0, 1). */
  readonly x: HostArray;
  readonly labels: Int32Array;
  /**
   * PyTorch's layouts and default initialisation: conv1 [6, 1, 5, 5] and [6], conv2 [16, 6, 5, 5] and [16], then
   * fc1 [120, 400], fc2 [84, 120], fc3 [10, 84] with their biases (weights [out, in]; fc1's inputs in C, H, W order).
   */
  readonly params: readonly HostArray[];
  readonly learningRate: number;
}

/** W5: LeNet-5 (conv 5x5 pad 2 -> 6, pool, conv 5x5 -> 16, pool, 400-120-84-10) on one batch of 64 digits' shape. */
export function lenetData(batch = 64): LenetData {
  const next = seededUniform(5);
  const x = { data: uniformArray(batch * 28 * 28, 0, 1, next), shape: [batch, 1, 28, 28] };
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = Math.floor(next() * 10);
  const layers: Array<{ weight: number[]; fanIn: number }> = [
    { weight: [6, 1, 5, 5], fanIn: 25 },
    { weight: [16, 6, 5, 5], fanIn: 150 },
    { weight: [120, 400], fanIn: 400 },
    { weight: [84, 120], fanIn: 120 },
    { weight: [10, 84], fanIn: 84 },
  ];
  const params: HostArray[] = [];
  for (const { weight, fanIn } of layers) {
    // U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases: what torch.nn.Conv2d and Linear draw by default.
    const bound = 1 / Math.sqrt(fanIn);
    params.push({
      data: uniformArray(
        weight.reduce((a, b) => a * b, 1),
        -bound,
        bound,
        next,
      ),
      shape: weight,
    });
    params.push({ data: uniformArray(weight[0], -bound, bound, next), shape: [weight[0]] });
  }
  return { x, labels, params, learningRate: 0.05 };
}
