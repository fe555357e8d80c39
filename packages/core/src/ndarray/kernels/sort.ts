/**
 * The permutation that sorts each line of an array along one axis, as int32 indices (the first k of it for topk).
 * The order is total and stable: NaN counts as larger than every number (PyTorch's rule), and equal values keep
 * their index order in both directions, so ties and NaNs give the same indices every run.
 */
import { NDArray } from '../ndarray.js';
import { sizeOf } from '../shape.js';
import { deviceKernel } from '../device.js';

/** The indices of the first `k` elements of each line along `axis` in sorted order: x's shape with `axis` of length k. */
export function sortedIndices(x: NDArray, axis: number, k: number, descending: boolean): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'sortedIndices').sortedIndices(x, axis, k, descending);
  const shape = x.shape;
  const n = shape[axis];
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Int32Array(outer * k * inner);
  const X = x.data;
  const line = new Float64Array(n);
  const order = Array.from({ length: n }, () => 0);
  const before = descending ? descendingOrder(line) : ascendingOrder(line);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < n; j++) {
        line[j] = X[(o * n + j) * inner + i];
        order[j] = j;
      }
      order.sort(before);
      for (let j = 0; j < k; j++) out[(o * k + j) * inner + i] = order[j];
    }
  return new NDArray(
    out,
    shape.map((d, a) => (a === axis ? k : d)),
  );
}

type Compare = (a: number, b: number) => number;

function ascendingOrder(v: Float64Array): Compare {
  return (a, b) => {
    const x = v[a];
    const y = v[b];
    if (x < y) return -1;
    if (x > y) return 1;
    const nanX = x !== x;
    const nanY = y !== y;
    if (nanX !== nanY) return nanX ? 1 : -1;
    return a - b;
  };
}

function descendingOrder(v: Float64Array): Compare {
  return (a, b) => {
    const x = v[a];
    const y = v[b];
    if (x > y) return -1;
    if (x < y) return 1;
    const nanX = x !== x;
    const nanY = y !== y;
    if (nanX !== nanY) return nanX ? -1 : 1;
    return a - b;
  };
}
