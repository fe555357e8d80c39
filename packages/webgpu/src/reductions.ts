/**
 * The reductions of the WebGPU backend (kernels/wgsl.ts's REDUCE_HEADER): one workgroup per output element, its
 * threads striding over the reduced elements, then a tree in workgroup memory. Softmax is one thread per slice.
 */
import type { NDArray, ReduceKind } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import * as wgsl from './kernels/wgsl.js';
import { sizeOf, stridesOf } from './shapes.js';

const REDUCE_SOURCES: Record<ReduceKind, string> = {
  sum: wgsl.reduceSource('0.0', 'acc + v'),
  max: wgsl.reduceSource('negInf()', 'select(acc, v, v > acc || !(v == v))'),
  min: wgsl.reduceSource('posInf()', 'select(acc, v, v < acc || !(v == v))'),
};

export function reduce(backend: WebGPUBackend, x: NDArray, axes: readonly number[], keepDims: boolean, kind: ReduceKind): NDArray {
  return reduction(backend, REDUCE_SOURCES[kind], backend.operand(x, kind), axes, keepDims);
}

export function logSumExp(backend: WebGPUBackend, x: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
  return reduction(backend, wgsl.LOG_SUM_EXP, backend.operand(x, 'logSumExp'), axes, keepDims);
}

/** One workgroup per output element of a reduction over `axes` (the params of wgsl.ts's REDUCE_HEADER). */
export function reduction(backend: WebGPUBackend, code: string, a: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
  const strides = stridesOf(a.shape);
  const kept = a.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const keptShape = kept.map((d) => a.shape[d]);
  const outShape = keepDims ? a.shape.map((s, d) => (axes.includes(d) ? 1 : s)) : keptShape;
  const out = backend.alloc(outShape, 'float32');
  const outputs = out.size;
  if (outputs === 0) return out;
  const count = axes.reduce((n, d) => n * a.shape[d], 1);
  const params = [
    outputs,
    count,
    kept.length,
    axes.length,
    ...keptShape,
    ...kept.map((d) => strides[d]),
    ...axes.map((d) => a.shape[d]),
    ...axes.map((d) => strides[d]),
  ];
  backend.run(code, params, [backend.bufferOf(a), backend.bufferOf(out)], backend.grid(outputs, 1));
  return out;
}

export function softmax(backend: WebGPUBackend, x: NDArray, axis: number, log: boolean): NDArray {
  const a = backend.operand(x, log ? 'logSoftmax' : 'softmax');
  const out = backend.alloc(a.shape, 'float32');
  const n = a.shape[axis];
  const inner = sizeOf(a.shape.slice(axis + 1));
  const slices = n === 0 ? 0 : a.size / n;
  backend.flat(wgsl.softmaxSource(log), [slices, n, inner], [backend.bufferOf(a), backend.bufferOf(out)], slices);
  return out;
}
