/**
 * The kernels along one axis on the device (the WGSL is kernels/axes.ts): cumsum, cumprod, the stable sort's indices (sort and
 * topk pick their values with takeAlongAxis), and takeAlongAxis with its adjoint, through gather and scatterAdd at
 * flat positions worked out on the device.
 */
import { DTypeError, type NDArray } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import * as wgsl from './kernels/axes.js';
import { fmt, sizeOf } from './shapes.js';
import { gatherOrScatter } from './spatial.js';

/** x's [outer, n, inner] view around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

export function cumsum(backend: WebGPUBackend, x: NDArray, axis: number, reverse: boolean): NDArray {
  const a = backend.operand(x, 'cumsum');
  const [outer, n, inner] = around(a.shape, axis);
  const out = backend.alloc(a.shape, 'float32');
  backend.flat(
    wgsl.CUMSUM,
    [outer * inner, n, inner, reverse ? 1 : 0],
    [backend.bufferOf(a), backend.bufferOf(out)],
    n === 0 ? 0 : outer * inner,
  );
  return out;
}

export function cumprod(backend: WebGPUBackend, x: NDArray, axis: number, dy: NDArray | null): NDArray {
  const [a, g] = [x, dy ?? x].map((t) => backend.operand(t, 'cumprod'));
  const [outer, n, inner] = around(a.shape, axis);
  const out = backend.alloc(a.shape, 'float32');
  const params = [outer * inner, n, inner, dy === null ? 0 : 1];
  backend.flat(
    wgsl.CUMPROD,
    params,
    [a, g, out].map((t) => backend.bufferOf(t)),
    n === 0 ? 0 : outer * inner,
  );
  return out;
}

export function sortedIndices(backend: WebGPUBackend, x: NDArray, axis: number, k: number, descending: boolean): NDArray {
  const a = backend.operand(x, 'sort');
  const [, n, inner] = around(a.shape, axis);
  const out = backend.alloc(
    a.shape.map((d, i) => (i === axis ? k : d)),
    'int32',
  );
  backend.flat(wgsl.SORTED_INDICES, [a.size, n, inner, k, descending ? 1 : 0], [backend.bufferOf(a), backend.bufferOf(out)], a.size);
  return out;
}

/** The flat position in an array of `shape` that each of `indices` picks along `axis`. */
function positions(backend: WebGPUBackend, indices: NDArray, shape: readonly number[], axis: number, op: string): NDArray {
  const at = indices.device === undefined ? backend.upload(indices, op) : indices;
  if (at.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${at.dtype} of shape ${fmt(at.shape)}`);
  const [, n, inner] = around(shape, axis);
  const out = backend.alloc([at.size], 'int32');
  backend.flat(wgsl.ALONG_POSITIONS, [at.size, at.shape[axis], n, inner], [backend.bufferOf(at), backend.bufferOf(out)], at.size);
  return out;
}

export function takeAlongAxis(backend: WebGPUBackend, x: NDArray, indices: NDArray, axis: number): NDArray {
  const a = backend.operand(x, 'takeAlongAxis');
  const picked = gatherOrScatter(
    backend,
    'gather',
    backend.view(a, [a.size]),
    positions(backend, indices, a.shape, axis, 'takeAlongAxis'),
    0,
    a.size,
  );
  return backend.reshape(picked, indices.shape);
}

export function scatterAlongAxis(backend: WebGPUBackend, g: NDArray, indices: NDArray, axis: number, size: number): NDArray {
  const shape = indices.shape.map((d, i) => (i === axis ? size : d));
  const flat = positions(backend, indices, shape, axis, 'scatterAlongAxis');
  const summed = gatherOrScatter(
    backend,
    'scatterAdd',
    backend.view(backend.operand(g, 'scatterAlongAxis'), [g.size]),
    flat,
    0,
    sizeOf(shape),
  );
  return backend.reshape(summed, shape);
}
