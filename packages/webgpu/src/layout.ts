/**
 * The layout and in-place kernels of the WebGPU backend: every one a strided copy (kernels/wgsl.ts's
 * stridedCopySource) between a source and a destination read through their own strides, or a buffer copy or clear.
 */
import { DTypeError, DeviceError, NDArray, type DType, type Shape } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import * as wgsl from './kernels/wgsl.js';
import { broadcastStrides, f32Bits, sizeOf, stridesOf } from './shapes.js';

/** dst (at dstOffset, dstStrides) <- src (at srcOffset, srcStrides) over `shape`. */
function stridedCopy(
  backend: WebGPUBackend,
  src: NDArray,
  dst: NDArray,
  shape: readonly number[],
  srcStrides: readonly number[],
  dstStrides: readonly number[],
  srcOffset = 0,
  dstOffset = 0,
): void {
  const size = sizeOf(shape);
  const element = src.dtype === 'int32' ? 'i32' : 'f32';
  const params = [size, shape.length, ...shape, ...srcStrides, ...dstStrides, srcOffset, dstOffset];
  backend.flat(wgsl.stridedCopySource(element), params, [backend.bufferOf(src), backend.bufferOf(dst)], size);
}

/** x itself, when it is on this backend (of either dtype), or the DeviceError naming `op`. */
function own(backend: WebGPUBackend, x: NDArray, op: string): NDArray {
  if (x.device !== backend) throw new DeviceError(`${op}: the array is on '${x.device?.name ?? 'cpu'}', not on 'webgpu'`);
  return x;
}

export function transpose(backend: WebGPUBackend, x: NDArray, perm: readonly number[]): NDArray {
  const a = own(backend, x, 'transpose');
  const shape = perm.map((p) => a.shape[p]);
  const strides = stridesOf(a.shape);
  const out = backend.alloc(shape, a.dtype);
  stridedCopy(
    backend,
    a,
    out,
    shape,
    perm.map((p) => strides[p]),
    stridesOf(shape),
  );
  return out;
}

export function broadcastTo(backend: WebGPUBackend, x: NDArray, shape: Shape): NDArray {
  const a = x.device === backend ? x : backend.operand(x, 'broadcastTo');
  const out = backend.alloc(shape, a.dtype);
  stridedCopy(backend, a, out, shape, broadcastStrides(a.shape, shape), stridesOf(shape));
  return out;
}

export function reshape(backend: WebGPUBackend, x: NDArray, shape: Shape): NDArray {
  const a = own(backend, x, 'reshape');
  const out = backend.alloc(shape, a.dtype);
  if (a.size > 0) {
    const encoder = backend.device.createCommandEncoder();
    encoder.copyBufferToBuffer(backend.bufferOf(a), 0, backend.bufferOf(out), 0, a.size * 4);
    backend.device.queue.submit([encoder.finish()]);
  }
  return out;
}

export function slice(backend: WebGPUBackend, x: NDArray, begin: readonly number[], size: readonly number[]): NDArray {
  const a = own(backend, x, 'slice');
  const strides = stridesOf(a.shape);
  const start = begin.reduce((s, b, d) => s + b * strides[d], 0);
  const out = backend.alloc(size, a.dtype);
  stridedCopy(backend, a, out, size, strides, stridesOf(size), start, 0);
  return out;
}

export function pad(backend: WebGPUBackend, x: NDArray, begin: readonly number[], shape: Shape): NDArray {
  const a = own(backend, x, 'pad');
  const out = backend.alloc(shape, a.dtype);
  fill(backend, out, 0);
  const os = stridesOf(shape);
  const start = begin.reduce((s, b, d) => s + b * os[d], 0);
  stridedCopy(backend, a, out, a.shape, stridesOf(a.shape), os, 0, start);
  return out;
}

export function cast(backend: WebGPUBackend, x: NDArray, dtype: DType): NDArray {
  const a = own(backend, x, 'cast');
  if (dtype === 'float64') throw new DTypeError(`cast: webgpu has no float64; bring the tensor to the CPU first (await t.to('cpu'))`);
  if (dtype === a.dtype) return reshape(backend, a, a.shape);
  const out = backend.alloc(a.shape, dtype);
  const t = (d: DType) => (d === 'int32' ? 'i32' : 'f32');
  backend.flat(wgsl.castSource(t(a.dtype), t(dtype)), [a.size], [backend.bufferOf(a), backend.bufferOf(out)], a.size);
  return out;
}

export function fill(backend: WebGPUBackend, x: NDArray, value: number): void {
  if (value === 0) {
    const encoder = backend.device.createCommandEncoder();
    encoder.clearBuffer(backend.bufferOf(x));
    backend.device.queue.submit([encoder.finish()]);
  } else assign(backend, x, NDArray.scalar(value, 'float32'));
}

export function addInPlace(backend: WebGPUBackend, x: NDArray, other: NDArray, alpha: number): void {
  const target = backend.operand(x, 'addInPlace');
  let o = backend.operand(other, 'addInPlace');
  // A buffer cannot be bound for reading and writing in one pass: x += x reads a copy.
  if (backend.bufferOf(o) === backend.bufferOf(target)) o = reshape(backend, o, o.shape);
  const shape = target.shape;
  const params = [target.size, shape.length, ...shape, ...shape.map(() => 0), ...broadcastStrides(o.shape, shape), f32Bits(alpha)];
  backend.flat(wgsl.ADD_IN_PLACE, params, [backend.bufferOf(o), backend.bufferOf(target)], target.size);
}

export function mulInPlace(backend: WebGPUBackend, x: NDArray, factor: number): void {
  const target = backend.operand(x, 'mulInPlace');
  backend.flat(wgsl.MUL_IN_PLACE, [target.size, f32Bits(factor)], [backend.bufferOf(target)], target.size);
}

export function assign(backend: WebGPUBackend, x: NDArray, src: NDArray): void {
  const target = own(backend, x, 'assign');
  let s = src.device === backend ? src : backend.operand(src, 'assign');
  if (backend.bufferOf(s) === backend.bufferOf(target)) s = reshape(backend, s, s.shape);
  if (s.dtype !== target.dtype) s = cast(backend, s, target.dtype);
  stridedCopy(backend, s, target, target.shape, broadcastStrides(s.shape, target.shape), stridesOf(target.shape));
}

export function concat(backend: WebGPUBackend, xs: readonly NDArray[], axis: number, dtype: DType): NDArray {
  if (dtype === 'float64') throw new DTypeError('concat: webgpu has no float64; cast the operands to float32 first');
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const out = backend.alloc(shape, dtype);
  const outStrides = stridesOf(shape);
  let offset = 0;
  for (const x of xs) {
    // A CPU operand of one element moves (as in every kernel); any other is the mixed-device error.
    let a = x.device === backend ? x : x.device === undefined && x.size === 1 ? backend.upload(x, 'concat') : backend.operand(x, 'concat');
    if (a.dtype !== dtype) a = cast(backend, a, dtype);
    if (a.size > 0) stridedCopy(backend, a, out, a.shape, stridesOf(a.shape), outStrides, 0, offset * outStrides[axis]);
    offset += a.shape[axis];
  }
  return out;
}
