/**
 * TensorFlow.js as an independent oracle for an op test: the same seeded inputs and the same random upstream
 * gradient go through tapegrad (float64) and through TF.js (cpu backend, float32); values and every input's gradient
 * must agree within float32 tolerance. Layout differences (TF.js is NHWC) are the `theirs` function's business.
 */
import * as tf from '@tensorflow/tfjs';
import { Generator, type Tensor, tensor } from '@tapegrad/core';

export interface OracleOptions {
  /** Seed of the inputs and of the upstream gradient. */
  readonly seed?: number;
  /** Inputs are uniform in [lo, hi) (default [-1, 1)). */
  readonly range?: readonly [number, number];
  /** Inputs of these indices get no gradient check (TF.js cannot differentiate them, or they are not differentiable). */
  readonly constant?: readonly number[];
  readonly rtol?: number;
  readonly atol?: number;
  /** Compare values only (TF.js has no gradient for some cases, e.g. dilated convolutions). */
  readonly valuesOnly?: boolean;
  /** Given inputs instead of random ones (flat values with their shapes). */
  readonly values?: ReadonlyArray<Float64Array | null>;
}

let backendReady: Promise<boolean> | null = null;

/** TF.js on its plain-JavaScript cpu backend (what the rest of the suite compares against). */
export function useTfCpu(): Promise<boolean> {
  backendReady ??= tf.setBackend('cpu');
  return backendReady;
}

/** Checks ours against theirs on inputs of `shapes`: forward values, then each input's gradient for a random upstream. */
export function expectSameAsTf(
  shapes: ReadonlyArray<readonly number[]>,
  ours: (...xs: Tensor[]) => Tensor,
  theirs: (...xs: tf.Tensor[]) => tf.Tensor,
  options: OracleOptions = {},
): void {
  const g = new Generator(options.seed ?? 7);
  const [lo, hi] = options.range ?? [-1, 1];
  const constant = new Set(options.constant ?? []);
  // float32-representable values, so both libraries start from exactly the same numbers.
  const data = shapes.map((s, i) => {
    const given = options.values?.[i];
    if (given) return Float64Array.from(Float32Array.from(given));
    return Float64Array.from(Float32Array.from({ length: s.reduce((n, d) => n * d, 1) }, () => lo + (hi - lo) * g.uniform()));
  });
  const xs = data.map((d, i) => tensor(d, { shape: shapes[i], requiresGrad: !constant.has(i) }));
  const y = ours(...xs);
  const dy = Float64Array.from(Float32Array.from({ length: y.size }, () => 0.5 + g.uniform()));
  y.backward(tensor(dy, { shape: y.shape }));

  const rtol = options.rtol ?? 2e-4;
  const atol = options.atol ?? 2e-5;
  tf.tidy(() => {
    const txs = data.map((d, i) => tf.tensor(Float32Array.from(d), shapes[i].slice(), 'float32'));
    const ty = theirs(...txs);
    expect(ty.shape).toEqual(y.shape);
    expect(Array.from(y.data)).toBeAllClose(Array.from(ty.dataSync()), { rtol, atol });
    if (options.valuesOnly) return;
    const seed = tf.tensor(Float32Array.from(dy), y.shape.slice(), 'float32');
    const variable = txs.map((_, i) => i).filter((i) => !constant.has(i));
    const grads = tf.grads((...vs: tf.Tensor[]) => {
      const args = txs.slice();
      variable.forEach((i, k) => (args[i] = vs[k]));
      return tf.sum(tf.mul(theirs(...args), seed));
    })(variable.map((i) => txs[i]));
    variable.forEach((i, k) => {
      expect(xs[i].grad!.shape).toEqual(shapes[i]);
      expect(Array.from(xs[i].grad!.data)).toBeAllClose(Array.from(grads[k].dataSync()), { rtol, atol });
    });
  });
}

/** NCHW -> NHWC for a TF.js tensor. */
export const toNhwc = (x: tf.Tensor): tf.Tensor4D => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
/** NHWC -> NCHW for a TF.js tensor. */
export const toNchw = (x: tf.Tensor): tf.Tensor4D => tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;
/** The windows a 2-D pooling is checked on against TF.js: a name, the NCHW input's shape, the window, the stride, the padding. */
export const POOL_WINDOWS: Array<[string, number[], number, number, number]> = [
  ['2 x 2, stride 2', [2, 3, 6, 6], 2, 2, 0],
  ['3 x 3, stride 1', [1, 2, 5, 6], 3, 1, 0],
  ['3 x 3, stride 2, padding 1', [1, 2, 7, 7], 3, 2, 1],
];

/** TF.js's pooling (`tf.maxPool` or `tf.avgPool`, which pool NHWC) of an NCHW value; padding 0 is its 'valid'. */
export function tfPoolNchw(pool: typeof tf.maxPool, x: tf.Tensor, window: number, stride: number, padding: number): tf.Tensor4D {
  return toNchw(pool(toNhwc(x), window, stride, padding === 0 ? 'valid' : padding));
}

/** A PyTorch conv weight [out, in, kh, kw] as TF.js's filter [kh, kw, in, out]. */
export const toFilter = (w: tf.Tensor): tf.Tensor4D => tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
