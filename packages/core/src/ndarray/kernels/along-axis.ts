/**
 * Indexing along one axis by an index array of the same rank (np.take_along_axis, torch.gather) and its adjoint,
 * a scatter-add along that axis. Shapes and index ranges are checked by the caller (functions/sort.ts).
 */
import { allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { sizeOf } from '../shape.js';
import { deviceKernel } from '../device.js';

/** out[..., j, ...] = x[..., indices[..., j, ...], ...]: out has the shape of `indices`, which equals x's except along `axis`. */
export function takeAlongAxis(x: NDArray, indices: NDArray, axis: number): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'takeAlongAxis').takeAlongAxis(x, indices, axis);
  const shape = indices.shape;
  const outer = sizeOf(shape.slice(0, axis));
  const m = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const n = x.shape[axis];
  const out = allocate(x.dtype, indices.size);
  const X = x.data;
  const I = indices.data;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < m; j++) {
      const t = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[t + i] = X[(o * n + I[t + i]) * inner + i];
    }
  return new NDArray(out, shape);
}

/** The adjoint of takeAlongAxis: zeros whose `axis` has length `size`, and g[..., j, ...] added at indices[..., j, ...]. */
export function scatterAlongAxis(g: NDArray, indices: NDArray, axis: number, size: number): NDArray {
  if (g.device !== undefined) return deviceKernel(g.device, 'scatterAlongAxis').scatterAlongAxis(g, indices, axis, size);
  const shape = indices.shape;
  const outer = sizeOf(shape.slice(0, axis));
  const m = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outShape = shape.map((d, a) => (a === axis ? size : d));
  const out = allocate(g.dtype, sizeOf(outShape));
  const G = g.data;
  const I = indices.data;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < m; j++) {
      const t = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * size + I[t + i]) * inner + i] += G[t + i];
    }
  return new NDArray(out, outShape);
}
