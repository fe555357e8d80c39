/** Diagonals of two axes of an n-dimensional array, and their adjoint (a diagonal placed into zeros). */
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { sizeOf, stridesOf } from '../shape.js';

/** Where a diagonal lies in an array of `shape`: the other axes' sizes and strides, its length, first offset and step. */
function walk(shape: readonly number[], axis1: number, axis2: number, offset: number) {
  const strides = stridesOf(shape);
  const rest = shape.map((_, a) => a).filter((a) => a !== axis1 && a !== axis2);
  const length = Math.max(0, offset >= 0 ? Math.min(shape[axis1], shape[axis2] - offset) : Math.min(shape[axis1] + offset, shape[axis2]));
  return {
    restShape: rest.map((a) => shape[a]),
    restStrides: rest.map((a) => strides[a]),
    length,
    start: offset >= 0 ? offset * strides[axis2] : -offset * strides[axis1],
    step: strides[axis1] + strides[axis2],
  };
}

/**
 * The diagonal x[..., i, ..., i + offset, ...] of axes axis1 and axis2 (axis1 < axis2 not required), moved to a new
 * last axis, as torch.diagonal; with `adjoint`, the reverse: `src` (that diagonal's shape) placed into zeros of `shape`.
 */
export function diagonalArray(
  src: NDArray,
  shape: readonly number[],
  axis1: number,
  axis2: number,
  offset: number,
  adjoint: boolean,
): NDArray {
  const w = walk(shape, axis1, axis2, offset);
  const outShape = adjoint ? shape : [...w.restShape, w.length];
  const out = allocate(src.dtype, sizeOf(outShape));
  const S = src.data;
  const idx = new Array<number>(w.restShape.length).fill(0);
  const count = sizeOf(w.restShape);
  let flat = 0;
  for (let r = 0; r < count; r++) {
    let base = w.start;
    for (let a = 0; a < idx.length; a++) base += idx[a] * w.restStrides[a];
    for (let k = 0; k < w.length; k++, flat++) {
      if (adjoint) out[base + k * w.step] = S[flat];
      else out[flat] = S[base + k * w.step];
    }
    for (let a = idx.length - 1; a >= 0; a--) {
      if (++idx[a] < w.restShape[a]) break;
      idx[a] = 0;
    }
  }
  return new NDArray(out, outShape);
}
