/**
 * Layer normalisation over the last `width` elements of each row: the forward pass (with each row's mean and
 * 1 / standard deviation (moments.ts), kept for the gradient) and the backward pass giving dX, dWeight and dBias
 * at once.
 */
import type { TypedArray } from '../dtype.js';
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { meanOf, varianceOf } from './moments.js';

/** Each row's mean and reciprocal standard deviation 1 / sqrt(var + eps) (biased variance, as PyTorch's). */
export interface RowStats {
  readonly mean: Float64Array;
  readonly rstd: Float64Array;
}

/** y = (x - mean) * rstd * weight + bias, row by row; weight and bias (length `width`) may be absent. */
export function layerNormForward(
  x: NDArray,
  width: number,
  eps: number,
  weight: TypedArray | null,
  bias: TypedArray | null,
): { y: NDArray; stats: RowStats } {
  const X = x.data;
  const rows = width === 0 ? 0 : X.length / width;
  const Y = allocate(x.dtype, X.length);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    const m = meanOf(X, o, 1, width, 0);
    const s = 1 / Math.sqrt(varianceOf(X, m, o, 1, width, 0) + eps);
    mean[r] = m;
    rstd[r] = s;
    if (weight !== null && bias !== null) for (let j = 0; j < width; j++) Y[o + j] = (X[o + j] - m) * s * weight[j] + bias[j];
    else if (weight !== null) for (let j = 0; j < width; j++) Y[o + j] = (X[o + j] - m) * s * weight[j];
    else if (bias !== null) for (let j = 0; j < width; j++) Y[o + j] = (X[o + j] - m) * s + bias[j];
    else for (let j = 0; j < width; j++) Y[o + j] = (X[o + j] - m) * s;
  }
  return { y: new NDArray(Y, x.shape), stats: { mean, rstd } };
}

/**
 * With xhat = (x - mean) rstd and g = dy * weight (dy without a weight), per row:
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),   dWeight = sum over rows of dy xhat,   dBias = sum over rows of dy.
 * Returns those asked for (null for the others).
 */
export function layerNormBackward(
  dy: NDArray,
  x: NDArray,
  stats: RowStats,
  width: number,
  weight: TypedArray | null,
  want: { dx: boolean; dWeight: boolean; dBias: boolean },
): { dx: NDArray | null; dWeight: Float64Array | null; dBias: Float64Array | null } {
  const G = dy.data;
  const X = x.data;
  const rows = stats.mean.length;
  const DX = want.dx ? allocate(x.dtype, X.length) : null;
  const DW = want.dWeight ? new Float64Array(width) : null;
  const DB = want.dBias ? new Float64Array(width) : null;
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    const m = stats.mean[r];
    const s = stats.rstd[r];
    if (DW !== null) for (let j = 0; j < width; j++) DW[j] += G[o + j] * (X[o + j] - m) * s;
    if (DB !== null) for (let j = 0; j < width; j++) DB[j] += G[o + j];
    if (DX === null) continue;
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < width; j++) {
      const g = weight === null ? G[o + j] : G[o + j] * weight[j];
      sumG += g;
      sumGX += g * (X[o + j] - m) * s;
    }
    const meanG = sumG / width;
    const meanGX = sumGX / width;
    for (let j = 0; j < width; j++) {
      const g = weight === null ? G[o + j] : G[o + j] * weight[j];
      DX[o + j] = s * (g - meanG - (X[o + j] - m) * s * meanGX);
    }
  }
  return { dx: DX === null ? null : new NDArray(DX, x.shape), dWeight: DW, dBias: DB };
}
