/**
 * Reductions over any set of axes. Each axis is reduced as the middle of an [outer, n, inner] view, one axis
 * at a time, so one loop shape serves every axis choice; reducing all axes is a single pass.
 */
import { type TypedArray, allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { reducedShape, sizeOf } from '../shape.js';
import { installedReduceAll, installedReduceAxis, installedSumOfProducts } from './backend/kernel-backend.js';
import { wasmColumnSums, wasmSum } from './backend/wasm-elementwise.js';

/** Which reduction: a sum, a maximum or a minimum. */
export type ReduceKind = 'sum' | 'max' | 'min';

function reduceAll(x: NDArray, kind: ReduceKind): number {
  const X = x.data;
  const installed = installedReduceAll(kind, X);
  if (installed !== undefined) return installed;
  if (kind === 'sum') {
    const simd = wasmSum(X);
    if (simd !== undefined) return simd;
    // Four running sums break the add-after-add dependency chain (about 3x faster on a million elements); the
    // order is still fixed, so the result is the same on every run.
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    const n4 = X.length - (X.length % 4);
    let i = 0;
    for (; i < n4; i += 4) {
      s0 += X[i];
      s1 += X[i + 1];
      s2 += X[i + 2];
      s3 += X[i + 3];
    }
    for (; i < X.length; i++) s0 += X[i];
    return s0 + s1 + (s2 + s3);
  }
  let m = kind === 'max' ? -Infinity : Infinity;
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    if (v !== v) return NaN;
    if (kind === 'max' ? v > m : v < m) m = v;
  }
  return m;
}

/**
 * The sum of a[i] * b[i] over two arrays of one size, each product rounded to `dtype` first: bit for bit what
 * `reduceAll` gives on the product array, without that array (a scalar weight's gradient, see GradMath.mulFor).
 */
export function sumOfProducts(A: TypedArray, B: TypedArray, dtype: 'float32' | 'float64'): number {
  const installed = installedSumOfProducts(A, B) ?? wasmSum(A, B);
  if (installed !== undefined) return installed;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const n4 = A.length - (A.length % 4);
  let i = 0;
  if (dtype === 'float32') {
    const f = Math.fround;
    for (; i < n4; i += 4) {
      s0 += f(A[i] * B[i]);
      s1 += f(A[i + 1] * B[i + 1]);
      s2 += f(A[i + 2] * B[i + 2]);
      s3 += f(A[i + 3] * B[i + 3]);
    }
    for (; i < A.length; i++) s0 += f(A[i] * B[i]);
  } else {
    for (; i < n4; i += 4) {
      s0 += A[i] * B[i];
      s1 += A[i + 1] * B[i + 1];
      s2 += A[i + 2] * B[i + 2];
      s3 += A[i + 3] * B[i + 3];
    }
    for (; i < A.length; i++) s0 += A[i] * B[i];
  }
  return s0 + s1 + (s2 + s3);
}

function reduceAxis(x: NDArray, axis: number, kind: ReduceKind): NDArray {
  const shape = x.shape;
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = allocate(x.dtype, outer * inner);
  const done =
    installedReduceAxis(kind, x.data, out, outer, n, inner) ||
    (kind === 'sum' && inner > 1 && wasmColumnSums(x.data, out, outer, n, inner));
  if (!done) reduceMiddle(x.data, out, outer, n, inner, kind);
  const outShape = shape.slice();
  outShape[axis] = 1;
  return new NDArray(out, outShape);
}

/** Reduces the middle axis of X viewed as [outer, n, inner] into out ([outer, inner], zeros on entry). */
function reduceMiddle(X: TypedArray, out: TypedArray, outer: number, n: number, inner: number, kind: ReduceKind): void {
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    const ob = o * inner;
    if (kind === 'sum' && inner === 1) {
      // The last axis (a conv bias's gradient sums over width, then height): one running sum in a register, the
      // same additions in the same order as the general loop, without its store per element (rounded to float32
      // after each addition when the output is float32, as that store would).
      let s = 0;
      if (out instanceof Float32Array) for (let k = 0; k < n; k++) s = Math.fround(s + X[base + k]);
      else for (let k = 0; k < n; k++) s += X[base + k];
      out[ob] = s;
    } else if (kind === 'sum') {
      for (let k = 0; k < n; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) out[ob + i] += X[row + i];
      }
    } else {
      const isMax = kind === 'max';
      for (let i = 0; i < inner; i++) {
        let m = isMax ? -Infinity : Infinity;
        for (let k = 0; k < n; k++) {
          const v = X[base + k * inner + i];
          if (v !== v) {
            m = NaN;
            break;
          }
          if (isMax ? v > m : v < m) m = v;
        }
        out[ob + i] = m;
      }
    }
  }
}

/** Reduces `axes` (already normalised, ascending). Empty max/min gives -Infinity/Infinity, empty sum 0. */
export function reduce(x: NDArray, axes: readonly number[], keepDims: boolean, kind: ReduceKind): NDArray {
  if (x.device !== undefined) return x.device.reduce(x, axes, keepDims, kind);
  const outShape = reducedShape(x.shape, axes, keepDims);
  // One output element is a reduction of everything, whichever axes were named (the rest have size 1): one pass,
  // and the same order as any other full sum.
  if (axes.length === x.rank || sizeOf(outShape) === 1) {
    const out = allocate(x.dtype, 1);
    out[0] = reduceAll(x, kind);
    return new NDArray(out, outShape);
  }
  let r = x;
  for (let i = axes.length - 1; i >= 0; i--) r = reduceAxis(r, axes[i], kind);
  return new NDArray(r.data, outShape);
}

/** Index of the largest (or smallest) element along one axis; ties go to the first, and so does the first NaN (as max propagates it); int32 result. */
export function argReduce(x: NDArray, axis: number, keepDims: boolean, kind: 'max' | 'min'): NDArray {
  const shape = x.shape;
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = new Int32Array(outer * inner);
  const X = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let m = X[o * n * inner + i];
      for (let k = 1; k < n && m === m; k++) {
        const v = X[(o * n + k) * inner + i];
        if (v !== v || (kind === 'max' ? v > m : v < m)) {
          m = v;
          best = k;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return new NDArray(out, reducedShape(shape, [axis], keepDims));
}
