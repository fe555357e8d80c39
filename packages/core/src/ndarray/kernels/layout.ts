/** Kernels that move elements without arithmetic: transpose, broadcast, slice, pad, concat, gather, where, cast. */
import { type DType, allocate, allocateUnfilled } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { type Shape, sizeOf, stridesOf } from '../shape.js';
import { deviceKernel } from '../device.js';

/** Walks every index of `shape` in row-major order, calling `visit(outIndex, srcOffset)`. */
function forEachOffset(shape: Shape, srcStrides: readonly number[], visit: (o: number, s: number) => void): void {
  const size = sizeOf(shape);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < size; o++) {
    visit(o, src);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += srcStrides[d];
      if (idx[d] < shape[d]) break;
      src -= srcStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function transpose(x: NDArray, perm: readonly number[]): NDArray {
  if (x.device !== undefined) return x.device.transpose(x, perm);
  const shape = perm.map((p) => x.shape[p]);
  const xs = stridesOf(x.shape);
  const srcStrides = perm.map((p) => xs[p]);
  const out = allocate(x.dtype, x.size);
  const X = x.data;
  if (x.rank === 2 && perm[0] === 1) {
    const [r, c] = x.shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = X[i * c + j];
    return new NDArray(out, shape);
  }
  forEachOffset(shape, srcStrides, (o, s) => {
    out[o] = X[s];
  });
  return new NDArray(out, shape);
}

export function broadcastTo(x: NDArray, shape: Shape): NDArray {
  if (x.device !== undefined) return x.device.broadcastTo(x, shape);
  if (x.size === 1) {
    // One value repeated (the gradient of a full reduction, a scalar operand): a fill, no index walk.
    const out = allocateUnfilled(x.dtype, sizeOf(shape));
    out.fill(x.data[0]);
    return new NDArray(out, shape.slice());
  }
  const off = shape.length - x.rank;
  const xs = stridesOf(x.shape);
  const srcStrides = shape.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : xs[i - off]));
  const out = allocate(x.dtype, sizeOf(shape));
  const X = x.data;
  forEachOffset(shape, srcStrides, (o, s) => {
    out[o] = X[s];
  });
  return new NDArray(out, shape.slice());
}

/** Copies the box starting at `begin` with extent `size`. */
export function slice(x: NDArray, begin: readonly number[], size: readonly number[]): NDArray {
  if (x.device !== undefined) return x.device.slice(x, begin, size);
  const xs = stridesOf(x.shape);
  let start = 0;
  for (let d = 0; d < x.rank; d++) start += begin[d] * xs[d];
  const out = allocate(x.dtype, sizeOf(size));
  const X = x.data;
  forEachOffset(size, xs, (o, s) => {
    out[o] = X[start + s];
  });
  return new NDArray(out, size.slice());
}

/** Places x into zeros of shape `shape` at offset `begin`: the adjoint of slice. */
export function pad(x: NDArray, begin: readonly number[], shape: Shape): NDArray {
  if (x.device !== undefined) return x.device.pad(x, begin, shape);
  const os = stridesOf(shape);
  let start = 0;
  for (let d = 0; d < x.rank; d++) start += begin[d] * os[d];
  const out = allocate(x.dtype, sizeOf(shape));
  const X = x.data;
  forEachOffset(x.shape, os, (i, o) => {
    out[start + o] = X[i];
  });
  return new NDArray(out, shape.slice());
}

export function concat(xs: readonly NDArray[], axis: number, dtype: DType): NDArray {
  const device = xs.find((x) => x.device !== undefined)?.device;
  if (device !== undefined) return deviceKernel(device, 'concat').concat(xs, axis, dtype);
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out = allocate(dtype, sizeOf(shape));
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const row = shape[axis] * inner;
  let offset = 0;
  for (const x of xs) {
    const chunk = x.shape[axis] * inner;
    const X = x.data;
    for (let o = 0; o < outer; o++) {
      const src = o * chunk;
      const dst = o * row + offset;
      for (let i = 0; i < chunk; i++) out[dst + i] = X[src + i];
    }
    offset += chunk;
  }
  return new NDArray(out, shape);
}

/** out = x.shape[:axis] + indices.shape + x.shape[axis+1:], as tf.gather / np.take. Indices are checked by the op. */
export function gather(x: NDArray, indices: NDArray, axis: number): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'gather').gather(x, indices, axis);
  const outer = sizeOf(x.shape.slice(0, axis));
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const I = indices.data;
  const out = allocate(x.dtype, outer * I.length * inner);
  const X = x.data;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (let t = 0; t < I.length; t++) {
      const src = (a * n + I[t]) * inner;
      for (let i = 0; i < inner; i++) out[o++] = X[src + i];
    }
  }
  return new NDArray(out, [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)]);
}

/** The adjoint of gather: sums rows of `g` into a zero array whose `axis` has length `size`. */
export function scatterAdd(g: NDArray, indices: NDArray, axis: number, size: number): NDArray {
  if (g.device !== undefined) return deviceKernel(g.device, 'scatterAdd').scatterAdd(g, indices, axis, size);
  const outer = sizeOf(g.shape.slice(0, axis));
  const inner = sizeOf(g.shape.slice(axis + indices.rank));
  const I = indices.data;
  const shape = [...g.shape.slice(0, axis), size, ...g.shape.slice(axis + indices.rank)];
  const out = allocate(g.dtype, sizeOf(shape));
  const G = g.data;
  let s = 0;
  for (let a = 0; a < outer; a++) {
    for (let t = 0; t < I.length; t++) {
      const dst = (a * size + I[t]) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += G[s++];
    }
  }
  return new NDArray(out, shape);
}

export function cast(x: NDArray, dtype: DType): NDArray {
  if (x.device !== undefined) return x.device.cast(x, dtype);
  const out = allocate(dtype, x.size);
  if (dtype === 'int32') {
    // Truncation toward zero, as NumPy's astype and PyTorch's .int().
    const X = x.data;
    for (let i = 0; i < X.length; i++) out[i] = Math.trunc(X[i]);
  } else out.set(x.data);
  return new NDArray(out, x.shape);
}

/**
 * For each position of an index array of `indexShape`, the flat (row-major) offset in an array of `shape` of its
 * coordinates on every axis but `axis` (NumPy's take_along_axis adds `index * stride(axis)` to it). The picks stay
 * out so that the caller can add them with ops, which batch under vmap.
 */
export function offsetsBesideAxis(shape: Shape, indexShape: Shape, axis: number): NDArray {
  const strides = stridesOf(shape);
  const istr = stridesOf(indexShape);
  const out = new Int32Array(sizeOf(indexShape));
  for (let p = 0; p < out.length; p++) {
    let off = 0;
    let rem = p;
    for (let d = 0; d < istr.length; d++) {
      const i = Math.floor(rem / istr[d]);
      rem -= i * istr[d];
      if (d !== axis) off += i * strides[d];
    }
    out[p] = off;
  }
  return new NDArray(out, indexShape);
}
