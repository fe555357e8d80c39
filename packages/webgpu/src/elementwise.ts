/**
 * The elementwise kernels of the WebGPU backend (the WGSL expressions are kernels/wgsl.ts's, looked up by the CPU
 * kernel's name): unary, with numbers (clamp, leakyRelu, gelu's form), binary with NumPy broadcasting, and where.
 */
import { DeviceError, type NDArray, type UnaryKernel } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import * as wgsl from './kernels/wgsl.js';
import { whereSource } from './kernels/spatial.js';
import { broadcastShape, broadcastStrides, f32Bits } from './shapes.js';

export function unary(backend: WebGPUBackend, kernel: UnaryKernel, x: NDArray): NDArray {
  const expression = wgsl.UNARY_EXPRESSIONS[kernel.name];
  if (expression === undefined) throw new DeviceError(`${kernel.name}: no webgpu kernel yet`);
  const a = backend.operand(x, kernel.name);
  const out = backend.alloc(a.shape, 'float32');
  backend.flat(wgsl.unarySource(expression), [a.size], [backend.bufferOf(a), backend.bufferOf(out)], a.size);
  return out;
}

/** An elementwise kernel with numbers (wgsl.ts's PARAMETRIC_EXPRESSIONS), passed as float32 bits after the size. */
export function parametric(
  backend: WebGPUBackend,
  name: keyof typeof wgsl.PARAMETRIC_EXPRESSIONS,
  x: NDArray,
  numbers: readonly number[],
): NDArray {
  const a = backend.operand(x, name);
  const out = backend.alloc(a.shape, 'float32');
  const code = wgsl.unarySource(wgsl.PARAMETRIC_EXPRESSIONS[name]);
  backend.flat(code, [a.size, ...numbers.map(f32Bits)], [backend.bufferOf(a), backend.bufferOf(out)], a.size);
  return out;
}

/** The binary kernel `name` of wgsl.ts's BINARY_EXPRESSIONS, broadcasting. */
export function binary(backend: WebGPUBackend, name: string, x: NDArray, y: NDArray): NDArray {
  const expression = wgsl.BINARY_EXPRESSIONS[name];
  if (expression === undefined) throw new DeviceError(`${name}: no webgpu kernel yet`);
  const a = backend.operand(x, name);
  const b = backend.operand(y, name);
  const shape = broadcastShape(a.shape, b.shape, name);
  const out = backend.alloc(shape, 'float32');
  const size = out.size;
  const params = [size, shape.length, ...shape, ...broadcastStrides(a.shape, shape), ...broadcastStrides(b.shape, shape)];
  backend.flat(wgsl.binarySource(expression), params, [backend.bufferOf(a), backend.bufferOf(b), backend.bufferOf(out)], size);
  return out;
}

export function gelu(backend: WebGPUBackend, x: NDArray, form: 'none' | 'tanh', upstream: NDArray | null): NDArray {
  if (upstream === null) return parametric(backend, 'gelu', x, [form === 'tanh' ? 1 : 0]);
  return binary(backend, form === 'tanh' ? 'geluGradTanh' : 'geluGradNone', upstream, x);
}

export function where(backend: WebGPUBackend, cond: NDArray, x: NDArray, y: NDArray): NDArray {
  // A CPU condition (a mask the op built) moves: it is a constant of the graph.
  const c =
    cond.device === undefined && cond.size > 1
      ? backend.upload(cond, 'where')
      : cond.dtype === 'int32'
        ? cond
        : backend.operand(cond, 'where');
  const [a, b] = [backend.operand(x, 'where'), backend.operand(y, 'where')];
  const shape = broadcastShape(broadcastShape(c.shape, a.shape, 'where'), b.shape, 'where');
  const out = backend.alloc(shape, 'float32');
  const strides = [c, a, b].flatMap((t) => broadcastStrides(t.shape, shape));
  backend.flat(
    whereSource(c.dtype === 'int32' ? 'i32' : 'f32'),
    [out.size, shape.length, ...shape, ...strides],
    [c, a, b, out].map((t) => backend.bufferOf(t)),
    out.size,
  );
  return out;
}
