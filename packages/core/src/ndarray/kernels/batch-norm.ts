/**
 * Batch normalisation of x viewed as [N, C, S] (S the product of the axes after the channel axis): each channel is
 * normalised over its N * S values (moments.ts). The forward pass keeps each channel's mean and 1 / standard
 * deviation for the gradient; the backward pass gives dX, dWeight and dBias at once.
 */
import { type TypedArray, allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { meanOf, varianceOf } from './moments.js';

/** Each channel's mean, biased variance and 1 / sqrt(var + eps). */
export interface ChannelStats {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly rstd: Float64Array;
}

/** x's [N, C, S] view: batch, channels and the size of one channel's plane. */
function view(x: NDArray): [number, number, number] {
  const n = x.shape[0];
  const c = x.shape[1];
  return [n, c, n * c === 0 ? 0 : x.size / (n * c)];
}

/** y = (x - mean[c]) * rstd[c] * weight[c] + bias[c], with the batch statistics; weight and bias may be absent. */
export function batchNormForward(
  x: NDArray,
  eps: number,
  weight: TypedArray | null,
  bias: TypedArray | null,
): { y: NDArray; stats: ChannelStats } {
  const X = x.data;
  const [n, channels, plane] = view(x);
  const Y = allocate(x.dtype, X.length);
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const rstd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = meanOf(X, c * plane, n, plane, channels * plane);
    const v = varianceOf(X, m, c * plane, n, plane, channels * plane);
    const r = 1 / Math.sqrt(v + eps);
    mean[c] = m;
    variance[c] = v;
    rstd[c] = r;
    const scale = weight === null ? r : r * weight[c];
    const shift = bias === null ? 0 : bias[c];
    for (let b = 0, o = c * plane; b < n; b++, o += channels * plane)
      for (let s = 0; s < plane; s++) Y[o + s] = (X[o + s] - m) * scale + shift;
  }
  return { y: new NDArray(Y, x.shape), stats: { mean, variance, rstd } };
}

/**
 * With xhat = (x - mean) rstd and g = dy * weight (dy without a weight), per channel, means over its N * S values:
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),   dWeight = sum of dy xhat,   dBias = sum of dy.
 * Returns those asked for (null for the others); dWeight and dBias in double precision.
 */
export function batchNormBackward(
  dy: NDArray,
  x: NDArray,
  stats: ChannelStats,
  weight: TypedArray | null,
  want: { dx: boolean; dWeight: boolean; dBias: boolean },
): { dx: NDArray | null; dWeight: Float64Array | null; dBias: Float64Array | null } {
  const G = dy.data;
  const X = x.data;
  const [n, channels, plane] = view(x);
  const count = n * plane;
  const DX = want.dx ? allocate(x.dtype, X.length) : null;
  const DW = want.dWeight ? new Float64Array(channels) : null;
  const DB = want.dBias ? new Float64Array(channels) : null;
  for (let c = 0; c < channels; c++) {
    const m = stats.mean[c];
    const r = stats.rstd[c];
    // The sums of dy and of dy (x - mean) over the channel give every output: mean(g) = w sumDy / count and
    // mean(g xhat) = w r sumDyX / count.
    let sumDy = 0;
    let sumDyX = 0;
    for (let b = 0, o = c * plane; b < n; b++, o += channels * plane)
      for (let s = 0; s < plane; s++) {
        const g = G[o + s];
        sumDy += g;
        sumDyX += g * (X[o + s] - m);
      }
    if (DW !== null) DW[c] = sumDyX * r;
    if (DB !== null) DB[c] = sumDy;
    if (DX === null || count === 0) continue;
    const w = weight === null ? 1 : weight[c];
    // dx = w r (dy - sumDy / count - (x - mean) r^2 sumDyX / count) = a (dy - meanDy) + k (x - mean).
    const a = w * r;
    const meanDy = sumDy / count;
    const k = (-a * r * r * sumDyX) / count;
    for (let b = 0, o = c * plane; b < n; b++, o += channels * plane)
      for (let s = 0; s < plane; s++) DX[o + s] = a * (G[o + s] - meanDy) + k * (X[o + s] - m);
  }
  return { dx: DX === null ? null : new NDArray(DX, x.shape), dWeight: DW, dBias: DB };
}
