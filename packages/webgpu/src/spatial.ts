/**
 * The convolution, pooling and gather kernels of the WebGPU backend (the WGSL is in kernels/spatial.ts). A
 * convolution is im2col over the whole batch, then one batched matrix product over the groups, as core's CPU kernel
 * (kernels/conv.ts in @tapegrad/core) does chunk by chunk:
 *   forward      rows [groups, O/g, cols] = W [groups, O/g, K/g] . col [groups, K/g, cols], then NCHW
 *   input grad   dcol = W^T . rows(dY), then col2im
 *   weight grad  dW [groups, O/g, K/g] = rows(dY) . col^T
 * with K = C kh kw and cols = batch outH outW (the patch matrix lives on the device whole: it is a training step's
 * largest temporary, and returns to the pool with it).
 */
import { type ConvGeometry, DTypeError, DeviceError, type NDArray, type PoolGeometry, type PooledMaxima, type Shape } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import { f32Bits } from './shapes.js';
import * as wgsl from './kernels/spatial.js';

const convParams = (size: number, g: ConvGeometry): number[] => [size, ...wgsl.CONV_FIELDS.map((f) => g[f])];

/** The [K, cols] patch matrix of x. */
function im2col(backend: WebGPUBackend, x: NDArray, g: ConvGeometry): NDArray {
  const rows = g.inChannels * g.kernelH * g.kernelW;
  const cols = g.batch * g.outH * g.outW;
  const col = backend.alloc([rows, cols], 'float32');
  backend.flat(wgsl.IM2COL, convParams(rows * cols, g), [backend.bufferOf(x), backend.bufferOf(col)], rows * cols);
  return col;
}

/** dY [batch, O, outH, outW] as [groups, O/g, batch outH outW]. */
function outputRows(backend: WebGPUBackend, dy: NDArray, g: ConvGeometry): NDArray {
  const plane = g.outH * g.outW;
  const rows = backend.transpose(backend.view(dy, [g.batch, g.outChannels, plane]), [1, 0, 2]);
  return backend.view(rows, [g.groups, g.outChannels / g.groups, g.batch * plane]);
}

export function conv2d(
  backend: WebGPUBackend,
  kind: 'forward' | 'inputGrad' | 'weightGrad',
  a: NDArray,
  b: NDArray,
  g: ConvGeometry,
): NDArray {
  const op = kind === 'forward' ? 'conv2d' : kind === 'inputGrad' ? 'conv2dInputGrad' : 'conv2dWeightGrad';
  const [x, y] = [backend.operand(a, op), backend.operand(b, op)];
  const { groups, outChannels: O } = g;
  const Kg = (g.inChannels / groups) * g.kernelH * g.kernelW;
  const cols = g.batch * g.outH * g.outW;
  if (kind === 'weightGrad') {
    const col = backend.view(im2col(backend, x, g), [groups, Kg, cols]);
    const dw = backend.matmul(outputRows(backend, y, g), col, { transposeB: true });
    return backend.reshape(dw, [O, g.inChannels / groups, g.kernelH, g.kernelW]);
  }
  if (kind === 'forward') {
    const col = backend.view(im2col(backend, x, g), [groups, Kg, cols]);
    const rows = backend.matmul(backend.view(y, [groups, O / groups, Kg]), col, {});
    return backend.transpose(backend.view(rows, [O, g.batch, g.outH, g.outW]), [1, 0, 2, 3]);
  }
  // inputGrad: x is dY, y the weight.
  const dcol = backend.matmul(backend.view(y, [groups, O / groups, Kg]), outputRows(backend, x, g), { transposeA: true });
  const dx = backend.alloc([g.batch, g.inChannels, g.height, g.width], 'float32');
  backend.flat(wgsl.COL2IM, convParams(dx.size, g), [backend.bufferOf(dcol), backend.bufferOf(dx)], dx.size);
  return dx;
}

const poolParams = (size: number, g: PoolGeometry): number[] => [size, ...wgsl.POOL_FIELDS.map((f) => g[f])];

export function maxPool2d(backend: WebGPUBackend, x: NDArray, g: PoolGeometry, shape: Shape): PooledMaxima {
  const a = backend.operand(x, 'maxPool2d');
  const values = backend.alloc(shape, 'float32');
  const argmax = backend.alloc(shape, 'int32');
  const buffers = [backend.bufferOf(a), backend.bufferOf(values), backend.bufferOf(argmax)];
  backend.flat(wgsl.MAX_POOL, poolParams(values.size, g), buffers, values.size);
  return { values, argmax };
}

export function avgPool2d(
  backend: WebGPUBackend,
  src: NDArray,
  g: PoolGeometry,
  countIncludePad: boolean,
  adjoint: boolean,
  shape: Shape,
): NDArray {
  const a = backend.operand(src, 'avgPool2d');
  const out = backend.alloc(shape, 'float32');
  const params = [...poolParams(out.size, g), countIncludePad ? 1 : 0];
  backend.flat(adjoint ? wgsl.AVG_POOL_ADJOINT : wgsl.AVG_POOL, params, [backend.bufferOf(a), backend.bufferOf(out)], out.size);
  return out;
}

/**
 * gather (take along `axis`) or its adjoint scatterAdd into an axis of length `size`, with int32 indices on the
 * device or the CPU. An index out of range reads 0 (gather) or is dropped (scatterAdd): the ops check indices where
 * their values can be read.
 */
export function gatherOrScatter(
  backend: WebGPUBackend,
  op: 'gather' | 'scatterAdd',
  x: NDArray,
  indices: NDArray,
  axis: number,
  size: number,
): NDArray {
  const a = backend.operand(x, op);
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  // CPU indices (checked by the op where they could be read) move implicitly: they are constants of the graph.
  const at = indices.device === undefined ? backend.upload(indices, op) : indices;
  if (at.device !== backend) throw new DeviceError(`${op}: the indices are on '${at.device?.name}', the values on 'webgpu'`);
  const outer = a.shape.slice(0, axis).reduce((n, d) => n * d, 1);
  const count = at.size;
  const gathering = op === 'gather';
  const tail = a.shape.slice(axis + (gathering ? 1 : at.rank));
  const inner = tail.reduce((n, d) => n * d, 1);
  const shape = gathering ? [...a.shape.slice(0, axis), ...at.shape, ...tail] : [...a.shape.slice(0, axis), size, ...tail];
  const out = backend.alloc(shape, 'float32');
  if (!gathering) backend.fill(out, 0);
  const threads = outer * count * inner;
  const buffers = [backend.bufferOf(a), backend.bufferOf(at), backend.bufferOf(out)];
  backend.flat(gathering ? wgsl.GATHER : wgsl.SCATTER_ADD, [threads, count, size, inner], buffers, threads);
  return out;
}

export function layerNorm(
  backend: WebGPUBackend,
  x: NDArray,
  width: number,
  eps: number,
  weight: NDArray | null,
  bias: NDArray | null,
): NDArray {
  const inputs = [x, weight, bias].filter((a): a is NDArray => a !== null).map((a) => backend.operand(a, 'layerNorm'));
  const y = backend.alloc(x.shape, 'float32');
  const rows = width === 0 ? 0 : x.size / width;
  const code = wgsl.layerNormSource(weight !== null, bias !== null);
  backend.flat(
    code,
    [rows, width, f32Bits(eps)],
    [...inputs, y].map((a) => backend.bufferOf(a)),
    rows,
  );
  return y;
}
