/**
 * The matrix product of the WebGPU backend: kernels/wgsl.ts's MATMUL (64x64 blocks per workgroup in workgroup memory,
 * 4x4 outputs per thread), with the transposed variants and broadcast batch axes read in place through per-batch
 * offsets.
 */
import { DeviceError, type MatmulFlags, type NDArray } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import * as wgsl from './kernels/wgsl.js';
import { MAX_GROUPS, broadcastShape, broadcastStrides, sizeOf } from './shapes.js';

export function matmul(backend: WebGPUBackend, x: NDArray, y: NDArray, flags: MatmulFlags): NDArray {
  const a = backend.operand(x, 'matmul');
  const b = backend.operand(y, 'matmul');
  const tA = !!flags.transposeA;
  const tB = !!flags.transposeB;
  const m = tA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const k = tA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const n = tB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batch = broadcastShape(aBatch, bBatch, 'matmul');
  const batches = sizeOf(batch);
  if (batches > MAX_GROUPS) throw new DeviceError(`matmul: ${batches} batches exceed webgpu's ${MAX_GROUPS} per dispatch`);
  const out = backend.alloc([...batch, m, n], 'float32');
  if (out.size === 0) return out;
  if (k === 0) {
    backend.fill(out, 0);
    return out;
  }
  const aStr = broadcastStrides(aBatch, batch);
  const bStr = broadcastStrides(bBatch, batch);
  const offsets: number[] = [];
  const idx = new Array<number>(batch.length).fill(0);
  for (let t = 0; t < batches; t++) {
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < batch.length; d++) {
      ao += idx[d] * aStr[d];
      bo += idx[d] * bStr[d];
    }
    offsets.push(ao * m * k, bo * k * n);
    for (let d = batch.length - 1; d >= 0 && ++idx[d] === batch[d]; d--) idx[d] = 0;
  }
  const params = [m, n, k, tA ? 1 : 0, tB ? 1 : 0, batches, ...offsets];
  const groups: [number, number, number] = [Math.ceil(n / wgsl.TILE), Math.ceil(m / wgsl.TILE), batches];
  backend.run(wgsl.MATMUL, params, [backend.bufferOf(a), backend.bufferOf(b), backend.bufferOf(out)], groups);
  return out;
}
