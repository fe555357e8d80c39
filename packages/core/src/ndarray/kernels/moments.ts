/**
 * The mean and biased variance that batch norm and layer norm take over a group of x's values: `runs` runs of
 * `length` consecutive values, `stride` apart, from `first` (layer norm: one run, a row; batch norm: one run per
 * sample, the channel's plane in it). Summed in double precision in storage order whatever the dtype, and the
 * variance about the mean (two passes), so a large common offset loses nothing to cancellation.
 */
import type { TypedArray } from '../dtype.js';

/** The mean of the group's values (NaN for an empty group). */
export function meanOf(X: TypedArray, first: number, runs: number, length: number, stride: number): number {
  let sum = 0;
  for (let b = 0, o = first; b < runs; b++, o += stride) for (let s = 0; s < length; s++) sum += X[o + s];
  return sum / (runs * length);
}

/** The biased variance of the group's values about their mean `m`. */
export function varianceOf(X: TypedArray, m: number, first: number, runs: number, length: number, stride: number): number {
  let squares = 0;
  for (let b = 0, o = first; b < runs; b++, o += stride)
    for (let s = 0; s < length; s++) {
      const d = X[o + s] - m;
      squares += d * d;
    }
  return squares / (runs * length);
}
