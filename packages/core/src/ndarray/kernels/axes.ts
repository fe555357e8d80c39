/**
 * Kernels that walk one axis or a set of axes: running sums (cumsum), products over axes with the product of
 * the others for each element (prod and its rule, exact with zeros), and reversal (flip).
 */
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { reducedShape, sizeOf } from '../shape.js';
import { deviceKernel } from '../device.js';

/** The running sum along `axis`, from the start (or from the end when `reverse`). */
export function cumsum(x: NDArray, axis: number, reverse: boolean): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'cumsum').cumsum(x, axis, reverse);
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

/** Calls `line(base, stride)` for every line along `axis` of a value of `shape`: elements base + j * stride, j < n. */
function eachLine(shape: readonly number[], axis: number, line: (base: number, stride: number, n: number) => void): void {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) line(o * n * inner + i, inner, n);
}

/** The running product along `axis`. */
export function cumprod(x: NDArray, axis: number): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'cumprod').cumprod(x, axis, null);
  const X = x.data;
  const out = allocate(x.dtype, x.size);
  eachLine(x.shape, axis, (base, stride, n) => {
    let acc = 1;
    for (let j = 0, at = base; j < n; j++, at += stride) out[at] = acc *= X[at];
  });
  return new NDArray(out, x.shape);
}

/**
 * cumprod's gradient, exact with zeros and without a division: dx_i = P_i S_i, where P_i is the product of the
 * elements before i and S_i = g_i + x_(i+1) S_(i+1) (the sum over k >= i of g_k times the product of x_(i+1..k)).
 */
export function cumprodGrad(x: NDArray, g: NDArray, axis: number): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'cumprod').cumprod(x, axis, g);
  const X = x.data;
  const G = g.data;
  const out = allocate(g.dtype, x.size);
  eachLine(x.shape, axis, (base, stride, n) => {
    let s = 0;
    for (let j = n - 1, at = base + (n - 1) * stride; j >= 0; j--, at -= stride) {
      s = G[at] + (j < n - 1 ? X[at + stride] * s : 0);
      out[at] = s;
    }
    let p = 1;
    for (let j = 0, at = base; j < n; j++, at += stride) {
      out[at] *= p;
      p *= X[at];
    }
  });
  return new NDArray(out, x.shape);
}

/** cumprod's tangent by the product rule, exact with zeros: ty_k = x_k ty_(k-1) + tx_k y_(k-1). */
export function cumprodTangent(x: NDArray, y: NDArray, t: NDArray, axis: number): NDArray {
  const X = x.data;
  const Y = y.data;
  const T = t.data;
  const out = allocate(t.dtype, x.size);
  eachLine(x.shape, axis, (base, stride, n) => {
    let prev = 0;
    for (let j = 0, at = base; j < n; j++, at += stride) {
      prev = j === 0 ? T[at] : X[at] * prev + T[at] * Y[at - stride];
      out[at] = prev;
    }
  });
  return new NDArray(out, x.shape);
}
