/**
 * The WebGPU device backend: core's kernel entry points (device.ts in @tapegrad/core) implemented with the WGSL of
 * kernels/. Device arrays hold float32 (or int32 for labels and indices) in pooled storage buffers; each
 * kernel call encodes one compute pass and submits it at once, so the synchronous API keeps working and values are
 * read back only by `dataAsync`. This file holds the device's machinery (buffers, dispatch, errors; kernel-cache.ts the pipelines and params);
 * the kernels live by concern beside it (elementwise.ts, layout.ts, reductions.ts, matmul.ts, normalise.ts,
 * axes.ts, optimizers.ts, spatial.ts, attention.ts, program.ts, anomaly.ts), each a function of the backend, and the class hands every entry point to one of them.
 */
import {
  type BinaryKernel,
  type ConvGeometry,
  type DType,
  type DeviceBackend,
  type DeviceOptimizerUpdate,
  type FusedProgram,
  DTypeError,
  DeviceError,
  type MatmulFlags,
  NDArray,
  type PoolGeometry,
  type PooledMaxima,
  type ReduceKind,
  type Shape,
  type TypedArray,
  type UnaryKernel,
} from '@tapegrad/core';
import { BufferPool, type PoolStats } from './pool.js';
import { KernelCache } from './kernel-cache.js';
import { FLAT_WORKGROUP } from './kernels/wgsl.js';
import { AnomalyWatch } from './anomaly.js';
import * as attention from './attention.js';
import * as axes from './axes.js';
import * as elementwise from './elementwise.js';
import * as layout from './layout.js';
import { matmul } from './matmul.js';
import { normalise, normaliseBackward } from './normalise.js';
import { optimizerUpdate } from './optimizers.js';
import { runProgram } from './program.js';
import type { SeamArgs, SeamResult } from './seam.js';
import * as reductions from './reductions.js';
import { MAX_GROUPS, fmt, sizeOf } from './shapes.js';
import * as spatial from './spatial.js';

/** What a device array keeps: its storage buffer. */
interface Handle {
  readonly buffer: GPUBuffer;
}

export class WebGPUBackend implements DeviceBackend {
  readonly name = 'webgpu';
  readonly pool: BufferPool;
  private readonly cache: KernelCache;
  private lastError: string | null = null;
  private lost: string | null = null;
  private readonly anomalies = new AnomalyWatch(this);

  constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    /** Objects that must live as long as the device (Dawn's instance and adapter). */
    readonly keepAlive: readonly object[],
  ) {
    this.pool = new BufferPool(device);
    this.cache = new KernelCache(device);
    device.addEventListener('uncapturederror', (event) => {
      this.lastError ??= event.error.message;
    });
    void device.lost.then((info) => {
      this.lost = info.message || info.reason || 'lost';
    });
  }

  /** Storage buffers made, live and pooled (see PoolStats). */
  memory(): PoolStats {
    return this.pool.stats();
  }

  // --- moving data --------------------------------------------------------------------------------------------

  /** @internal (the kernel modules) */
  alloc(shape: Shape, dtype: DType): NDArray {
    this.checkAlive();
    const handle: { buffer: GPUBuffer } = { buffer: undefined as unknown as GPUBuffer };
    const array = NDArray.onDevice(this, handle, shape.slice(), dtype);
    handle.buffer = this.pool.acquire(Math.max(4, sizeOf(shape) * 4), array);
    return array;
  }

  /** @internal (the kernel modules) */
  bufferOf(x: NDArray): GPUBuffer {
    return (x.handle as Handle).buffer;
  }

  /**
   * @internal x's buffer seen with another shape of the same size, without a copy: for temporaries inside one kernel
   * call only (the pool takes the buffer back when x is collected, which never happens while a call runs).
   */
  view(x: NDArray, shape: Shape): NDArray {
    return NDArray.onDevice(this, x.handle, shape.slice(), x.dtype);
  }

  upload(array: NDArray, op: string): NDArray {
    if (array.device === this) return array;
    if (array.device !== undefined) throw new DeviceError(`${op}: the array is on '${array.device.name}', not on the CPU`);
    if (array.dtype === 'float64')
      throw new DTypeError(
        `${op}: webgpu holds float32 and int32 tensors (GPUs have no float64); got float64 of shape ${fmt(array.shape)}: ` +
          "cast('float32') first, or make it with { dtype: 'float32' }",
      );
    const out = this.alloc(array.shape, array.dtype);
    const src = array.data;
    if (src.length > 0) this.device.queue.writeBuffer(this.bufferOf(out), 0, src.buffer, src.byteOffset, src.byteLength);
    return out;
  }

  async download(array: NDArray): Promise<TypedArray> {
    this.checkAlive();
    await this.anomalies.settle();
    if (array.size === 0) return array.dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
    const bytes = await this.pool.read(this.bufferOf(array), array.size * 4);
    this.checkErrors();
    return array.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  /** Waits for the queued work; rejects with anomaly mode's first failed check, if any. */
  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    await this.anomalies.settle();
  }

  private checkAlive(): void {
    if (this.lost !== null) throw new DeviceError(`webgpu: the device was lost (${this.lost}); call initWebGPU() again`);
  }

  private checkErrors(): void {
    const e = this.lastError;
    if (e !== null) {
      this.lastError = null;
      throw new DeviceError(`webgpu: a kernel failed on the device: ${e}`);
    }
  }

  // --- running kernels -----------------------------------------------------------------------------------------

  /** @internal (the kernel modules) one dispatch of `code` over `groups` with its params and storage buffers. */
  run(
    code: string,
    params: readonly number[],
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number, number],
    fresh = false,
  ): void {
    const pipeline = this.cache.pipeline(code);
    const paramsBuffer = fresh ? this.cache.freshParams(params) : this.cache.paramsBuffer(params);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: paramsBuffer } }];
    buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /** @internal A grid of workgroups covering `count` (threads or groups), folded into two axes past WebGPU's per-axis cap. */
  grid(count: number, perGroup: number): [number, number, number] {
    const groups = Math.max(1, Math.ceil(count / perGroup));
    return groups <= MAX_GROUPS ? [groups, 1, 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
  }

  /** @internal (the kernel modules) */
  flat(code: string, params: readonly number[], buffers: readonly GPUBuffer[], count: number): void {
    if (count > 0) this.run(code, params, buffers, this.grid(count, FLAT_WORKGROUP));
  }

  /** @internal (the kernel modules) an operand of a kernel: a device array of this backend as float32, or a one-element CPU array uploaded. */
  operand(x: NDArray, op: string): NDArray {
    if (x.device === this) {
      if (x.dtype !== 'float32')
        throw new DTypeError(`${op}: webgpu kernels take float32 operands, got ${x.dtype} of shape ${fmt(x.shape)}`);
      return x;
    }
    if (x.device === undefined && x.size === 1) return this.upload(x.dtype === 'float32' ? x : NDArray.scalar(x.data[0], 'float32'), op);
    throw new DeviceError(
      `${op}: an operand of shape ${fmt(x.shape)} is on '${x.device?.name ?? 'cpu'}' and another on 'webgpu'; ` +
        "move it with .to('webgpu') first (only one-element CPU operands are moved implicitly)",
    );
  }

  // --- the kernels, by concern in their own modules --------------------------------------------------------

  unary(kernel: UnaryKernel, x: NDArray): NDArray {
    return elementwise.unary(this, kernel, x);
  }

  clamp(x: NDArray, lo: number, hi: number): NDArray {
    return elementwise.parametric(this, 'clamp', x, [lo, hi]);
  }

  leakyRelu(x: NDArray, slope: number): NDArray {
    return elementwise.parametric(this, 'leakyRelu', x, [slope]);
  }

  binary(kernel: BinaryKernel, x: NDArray, y: NDArray): NDArray {
    return elementwise.binary(this, kernel.name, x, y);
  }

  /** @internal (attention.ts too) the binary kernel `name` of wgsl.ts's BINARY_EXPRESSIONS, broadcasting. */
  binaryByName(name: string, x: NDArray, y: NDArray): NDArray {
    return elementwise.binary(this, name, x, y);
  }

  gelu(x: NDArray, form: 'none' | 'tanh', upstream: NDArray | null): NDArray {
    return elementwise.gelu(this, x, form, upstream);
  }

  where(cond: NDArray, x: NDArray, y: NDArray): NDArray {
    return elementwise.where(this, cond, x, y);
  }

  matmul(x: NDArray, y: NDArray, flags: MatmulFlags): NDArray {
    return matmul(this, x, y, flags);
  }

  reduce(x: NDArray, axes: readonly number[], keepDims: boolean, kind: ReduceKind): NDArray {
    return reductions.reduce(this, x, axes, keepDims, kind);
  }

  logSumExp(x: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
    return reductions.logSumExp(this, x, axes, keepDims);
  }

  softmax(x: NDArray, axis: number, log: boolean): NDArray {
    return reductions.softmax(this, x, axis, log);
  }

  transpose(x: NDArray, perm: readonly number[]): NDArray {
    return layout.transpose(this, x, perm);
  }

  broadcastTo(x: NDArray, shape: Shape): NDArray {
    return layout.broadcastTo(this, x, shape);
  }

  reshape(x: NDArray, shape: Shape): NDArray {
    return layout.reshape(this, x, shape);
  }

  slice(x: NDArray, begin: readonly number[], size: readonly number[]): NDArray {
    return layout.slice(this, x, begin, size);
  }

  pad(x: NDArray, begin: readonly number[], shape: Shape): NDArray {
    return layout.pad(this, x, begin, shape);
  }

  cast(x: NDArray, dtype: DType): NDArray {
    return layout.cast(this, x, dtype);
  }

  concat(xs: readonly NDArray[], axis: number, dtype: DType): NDArray {
    return layout.concat(this, xs, axis, dtype);
  }

  /** @internal (the kernel modules too) x's elements all set to `value`. */
  fill(x: NDArray, value: number): void {
    layout.fill(this, x, value);
  }

  addInPlace(x: NDArray, other: NDArray, alpha: number): void {
    layout.addInPlace(this, x, other, alpha);
  }

  mulInPlace(x: NDArray, factor: number): void {
    layout.mulInPlace(this, x, factor);
  }

  assign(x: NDArray, src: NDArray): void {
    layout.assign(this, x, src);
  }

  optimizerUpdate(update: DeviceOptimizerUpdate, param: NDArray, grad: NDArray, state: readonly NDArray[]): void {
    optimizerUpdate(this, update, param, grad, state);
  }

  conv2d(kind: 'forward' | 'inputGrad' | 'weightGrad', a: NDArray, b: NDArray, g: ConvGeometry): NDArray {
    return spatial.conv2d(this, kind, a, b, g);
  }

  maxPool2d(x: NDArray, g: PoolGeometry, shape: Shape): PooledMaxima {
    return spatial.maxPool2d(this, x, g, shape);
  }

  avgPool2d(src: NDArray, g: PoolGeometry, countIncludePad: boolean, adjoint: boolean, shape: Shape): NDArray {
    return spatial.avgPool2d(this, src, g, countIncludePad, adjoint, shape);
  }

  gather(x: NDArray, indices: NDArray, axis: number): NDArray {
    return spatial.gatherOrScatter(this, 'gather', x, indices, axis, x.shape[axis]);
  }

  scatterAdd(g: NDArray, indices: NDArray, axis: number, size: number): NDArray {
    return spatial.gatherOrScatter(this, 'scatterAdd', g, indices, axis, size);
  }

  attention(...args: SeamArgs<'attention'>): SeamResult<'attention'> {
    return attention.attentionForward(this, ...args);
  }

  attentionBackward(...args: SeamArgs<'attentionBackward'>): SeamResult<'attentionBackward'> {
    return attention.attentionBackward(this, ...args);
  }

  normalise(...args: SeamArgs<'normalise'>): SeamResult<'normalise'> {
    return normalise(this, ...args);
  }

  normaliseBackward(...args: SeamArgs<'normaliseBackward'>): SeamResult<'normaliseBackward'> {
    return normaliseBackward(this, ...args);
  }

  watchFinite(x: NDArray, fail: (found: string) => Error): void {
    this.anomalies.watch(x, fail);
  }

  cumsum(x: NDArray, axis: number, reverse: boolean): NDArray {
    return axes.cumsum(this, x, axis, reverse);
  }

  cumprod(x: NDArray, axis: number, dy: NDArray | null): NDArray {
    return axes.cumprod(this, x, axis, dy);
  }

  sortedIndices(x: NDArray, axis: number, k: number, descending: boolean): NDArray {
    return axes.sortedIndices(this, x, axis, k, descending);
  }

  takeAlongAxis(x: NDArray, indices: NDArray, axis: number): NDArray {
    return axes.takeAlongAxis(this, x, indices, axis);
  }

  scatterAlongAxis(g: NDArray, indices: NDArray, axis: number, size: number): NDArray {
    return axes.scatterAlongAxis(this, g, indices, axis, size);
  }

  runProgram(program: FusedProgram, inputs: readonly NDArray[]): NDArray[] {
    return runProgram(this, program, inputs);
  }

  /** Releases the pooled buffers and the device. */
  destroy(): void {
    this.cache.destroy();
    this.anomalies.destroy();
    this.pool.destroy();
    this.device.destroy();
  }
}
