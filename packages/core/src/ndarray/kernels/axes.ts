/**
 * Kernels that walk one axis or a set of axes: running sums (cumsum), products over axes with the product of
 * the others for each element (prod and its rule, exact with zeros), and reversal (flip).
 */
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { reducedShape, sizeOf } from '../shape.js';

/** The running sum along `axis`, from the start (or from the end when `reverse`). */
export function cumsum(x: NDArray, axis: number, reverse: boolean): NDArray {
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const X = x.data;
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const at = o * n * inner + (reverse ? n - 1 - j : j) * inner + i;
        acc += X[at];
        out[at] = acc;
      }
    }
  }
  return new NDArray(out, x.shape);
}

/** For each element of a value of `shape`, the flat index of its group: the output element a reduction over `axes` puts it in. */
function groupsOf(shape: readonly number[], axes: readonly number[]): Int32Array {
  const kept = reducedShape(shape, axes, true);
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = axes.includes(d) ? 0 : s;
    s *= kept[d];
  }
  const group = new Int32Array(sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0, g = 0; i < group.length; i++) {
    group[i] = g;
    for (let d = shape.length - 1; d >= 0; d--) {
      g += strides[d];
      if (++index[d] < shape[d]) break;
      g -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return group;
}

/** The product over `axes` (normalised, ascending); an empty product is 1. */
export function prod(x: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
  const outShape = reducedShape(x.shape, axes, keepDims);
  const out = allocate(x.dtype, sizeOf(outShape)).fill(1);
  const group = groupsOf(x.shape, axes);
  const X = x.data;
  for (let i = 0; i < X.length; i++) out[group[i]] *= X[i];
  return new NDArray(out, outShape);
}

/**
 * For each element, the product of the other elements of its group (prod's derivative), exact where the group
 * has zeros: with none it is the product over the element, with one zero it is the product of the non-zeros at
 * the zero and 0 elsewhere, with two or more it is 0 everywhere. Also says whether any group had a zero.
 */
export function prodOfOthers(x: NDArray, axes: readonly number[]): { others: NDArray; hasZero: boolean } {
  const group = groupsOf(x.shape, axes);
  const groups = sizeOf(reducedShape(x.shape, axes, true));
  const nonZero = new Float64Array(groups).fill(1);
  const zeros = new Int32Array(groups);
  const X = x.data;
  let hasZero = false;
  for (let i = 0; i < X.length; i++) {
    if (X[i] === 0) {
      zeros[group[i]]++;
      hasZero = true;
    } else nonZero[group[i]] *= X[i];
  }
  const out = allocate(x.dtype === 'int32' ? 'float64' : x.dtype, x.size);
  for (let i = 0; i < X.length; i++) {
    const g = group[i];
    out[i] = zeros[g] === 0 ? nonZero[g] / X[i] : zeros[g] === 1 && X[i] === 0 ? nonZero[g] : 0;
  }
  return { others: new NDArray(out, x.shape), hasZero };
}

/** x with the order of its elements reversed along each of `axes`. */
export function flip(x: NDArray, axes: readonly number[]): NDArray {
  const shape = x.shape;
  const out = allocate(x.dtype, x.size);
  const X = x.data;
  const index = new Array<number>(shape.length).fill(0);
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  // The source of element 0 of the result, and how a step along each axis moves it (backwards on flipped axes).
  let from = 0;
  const step = strides.map((s, d) => (axes.includes(d) ? -s : s));
  for (const d of axes) from += (shape[d] - 1) * strides[d];
  for (let i = 0; i < out.length; i++) {
    out[i] = X[from];
    for (let d = shape.length - 1; d >= 0; d--) {
      from += step[d];
      if (++index[d] < shape[d]) break;
      from -= step[d] * shape[d];
      index[d] = 0;
    }
  }
  return new NDArray(out, shape);
}
