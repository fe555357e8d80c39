/** Constant padding (and cropping, for negative widths) of an n-dimensional array. */
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { sizeOf, stridesOf } from '../shape.js';

/**
 * x widened by before[a] elements in front of each axis a and after[a] behind it, the new elements `value`; a negative
 * width removes elements instead. The overlap of x and the result is copied one innermost run at a time.
 */
export function padArray(x: NDArray, before: readonly number[], after: readonly number[], value: number): NDArray {
  const rank = x.rank;
  const shape = x.shape.map((d, a) => d + before[a] + after[a]);
  const out = allocate(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  // The overlap: source indices [from[a], from[a] + box[a]) land at [from[a] + before[a], ...).
  const from = x.shape.map((_, a) => Math.max(0, -before[a]));
  const box = x.shape.map((d, a) => Math.min(d, shape[a] - before[a]) - from[a]);
  if (rank === 0) {
    out[0] = x.data[0];
    return new NDArray(out, shape);
  }
  if (box.some((n) => n <= 0)) return new NDArray(out, shape);
  const xs = stridesOf(x.shape);
  const os = stridesOf(shape);
  const run = box[rank - 1];
  const X = x.data;
  const idx = new Array<number>(rank - 1).fill(0);
  const runs = sizeOf(box.slice(0, -1));
  for (let r = 0; r < runs; r++) {
    let s = from[rank - 1];
    let o = from[rank - 1] + before[rank - 1];
    for (let a = 0; a < rank - 1; a++) {
      s += (from[a] + idx[a]) * xs[a];
      o += (from[a] + idx[a] + before[a]) * os[a];
    }
    for (let t = 0; t < run; t++) out[o + t] = X[s + t];
    for (let a = rank - 2; a >= 0; a--) {
      if (++idx[a] < box[a]) break;
      idx[a] = 0;
    }
  }
  return new NDArray(out, shape);
}
