/**
 * The WebGPU device backend: core's kernel entry points (device.ts in @tapegrad/core) implemented with the WGSL of
 * kernels/wgsl.ts. Device arrays hold float32 (or int32 for labels and indices) in pooled storage buffers; each
 * kernel call encodes one compute pass and submits it at once, so the synchronous API keeps working and values are
 * read back only by `dataAsync`.
 */
import {
  type AttentionPlan,
  type BinaryKernel,
  type ConvGeometry,
  type DType,
  type DeviceBackend,
  type DeviceOptimizerUpdate,
  DTypeError,
  DeviceError,
  type MatmulFlags,
  NDArray,
  type PoolGeometry,
  type PooledMaxima,
  type ReduceKind,
  type Shape,
  ShapeError,
  type TypedArray,
  type UnaryKernel,
} from '@tapegrad/core';
import { BufferPool, type PoolStats } from './pool.js';
import * as wgsl from './kernels/wgsl.js';
import { adamSource, sgdSource } from './kernels/optimizers.js';
import * as spatial from './spatial.js';
import * as attention from './attention.js';
import * as spatialWgsl from './kernels/spatial.js';

/** What a device array keeps: its storage buffer. */
interface Handle {
  readonly buffer: GPUBuffer;
}

const MAX_GROUPS = 65535;
const PARAMS_CACHE_LIMIT = 4096;
/** u32 entries of the one params buffer that is rewritten for every call of a kernel whose numbers change per step. */
const DYNAMIC_PARAMS = 64;

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}
const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
const f32Bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];
const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Strides that read `shape` broadcast to `target` (0 along repeated axes), aligned to the target's rank. */
function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = target.length - shape.length;
  return target.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

function broadcastShape(a: readonly number[], b: readonly number[], op: string): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[i - (rank - a.length)] ?? 1;
    const y = b[i - (rank - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new ShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    return x === 1 ? y : x;
  });
}

export class WebGPUBackend implements DeviceBackend {
  readonly name = 'webgpu';
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly params = new Map<string, GPUBuffer>();
  private dynamicParams: GPUBuffer | null = null;
  private lastError: string | null = null;
  private lost: string | null = null;

  constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    /** Objects that must live as long as the device (Dawn's instance and adapter). */
    readonly keepAlive: readonly object[],
  ) {
    this.pool = new BufferPool(device);
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

  /** @internal (spatial.ts too) */
  alloc(shape: Shape, dtype: DType): NDArray {
    this.checkAlive();
    const handle: { buffer: GPUBuffer } = { buffer: undefined as unknown as GPUBuffer };
    const array = NDArray.onDevice(this, handle, shape.slice(), dtype);
    handle.buffer = this.pool.acquire(Math.max(4, sizeOf(shape) * 4), array);
    return array;
  }

  /** @internal (spatial.ts too) */
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
    if (array.size === 0) return array.dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
    const bytes = await this.pool.read(this.bufferOf(array), array.size * 4);
    this.checkErrors();
    return array.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
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

  private pipeline(code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (p === undefined) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(code, p);
    }
    return p;
  }

  /** A read-only buffer of u32 parameters, cached by content: a loop over the same shapes makes no new ones. */
  private paramsBuffer(values: readonly number[]): GPUBuffer {
    const key = values.join(',');
    let b = this.params.get(key);
    if (b === undefined) {
      if (this.params.size >= PARAMS_CACHE_LIMIT) {
        for (const old of this.params.values()) old.destroy();
        this.params.clear();
      }
      const data = new Uint32Array(Math.max(4, values.length));
      data.set(values);
      b = this.device.createBuffer({ size: data.byteLength, usage: 0x80 | 0x08 });
      this.device.queue.writeBuffer(b, 0, data);
      this.params.set(key, b);
    }
    return b;
  }

  /**
   * The params buffer of a kernel whose numbers change with every call (an optimiser's step size): one buffer, written
   * before each dispatch. The queue runs writes and submissions in the order they were made, so each dispatch reads
   * the values written just before it, and no buffer is made per call.
   */
  private freshParams(values: readonly number[]): GPUBuffer {
    if (values.length > DYNAMIC_PARAMS) throw new DeviceError(`webgpu: ${values.length} dynamic parameters exceed ${DYNAMIC_PARAMS}`);
    this.dynamicParams ??= this.device.createBuffer({ size: DYNAMIC_PARAMS * 4, usage: 0x80 | 0x08 });
    this.device.queue.writeBuffer(this.dynamicParams, 0, new Uint32Array(values));
    return this.dynamicParams;
  }

  private run(
    code: string,
    params: readonly number[],
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number, number],
    fresh = false,
  ): void {
    const pipeline = this.pipeline(code);
    const paramsBuffer = fresh ? this.freshParams(params) : this.paramsBuffer(params);
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

  /** A grid of workgroups covering `count` (threads or groups), folded into two axes past WebGPU's per-axis cap. */
  private grid(count: number, perGroup: number): [number, number, number] {
    const groups = Math.max(1, Math.ceil(count / perGroup));
    return groups <= MAX_GROUPS ? [groups, 1, 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
  }

  /** @internal (spatial.ts too) */
  flat(code: string, params: readonly number[], buffers: readonly GPUBuffer[], count: number): void {
    if (count > 0) this.run(code, params, buffers, this.grid(count, wgsl.FLAT_WORKGROUP));
  }

  /** An operand of a kernel: a device array of this backend as float32, or a one-element CPU array uploaded. */
  /** @internal (spatial.ts too) */
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

  unary(kernel: UnaryKernel, x: NDArray): NDArray {
    const expression = wgsl.UNARY_EXPRESSIONS[kernel.name];
    if (expression === undefined) throw new DeviceError(`${kernel.name}: no webgpu kernel yet`);
    const a = this.operand(x, kernel.name);
    const out = this.alloc(a.shape, 'float32');
    this.flat(wgsl.unarySource(expression), [a.size], [this.bufferOf(a), this.bufferOf(out)], a.size);
    return out;
  }

  clamp(x: NDArray, lo: number, hi: number): NDArray {
    return this.parametric('clamp', x, [lo, hi]);
  }

  leakyRelu(x: NDArray, slope: number): NDArray {
    return this.parametric('leakyRelu', x, [slope]);
  }

  /** An elementwise kernel with numbers (wgsl.ts's PARAMETRIC_EXPRESSIONS), passed as float32 bits after the size. */
  private parametric(name: keyof typeof wgsl.PARAMETRIC_EXPRESSIONS, x: NDArray, numbers: readonly number[]): NDArray {
    const a = this.operand(x, name);
    const out = this.alloc(a.shape, 'float32');
    const code = wgsl.unarySource(wgsl.PARAMETRIC_EXPRESSIONS[name]);
    this.flat(code, [a.size, ...numbers.map(f32Bits)], [this.bufferOf(a), this.bufferOf(out)], a.size);
    return out;
  }

  binary(kernel: BinaryKernel, x: NDArray, y: NDArray): NDArray {
    return this.binaryByName(kernel.name, x, y);
  }

  gelu(x: NDArray, form: 'none' | 'tanh', upstream: NDArray | null): NDArray {
    if (upstream === null) return this.parametric('gelu', x, [form === 'tanh' ? 1 : 0]);
    return this.binaryByName(form === 'tanh' ? 'geluGradTanh' : 'geluGradNone', upstream, x);
  }

  /** @internal (attention.ts too) the binary kernel `name` of wgsl.ts's BINARY_EXPRESSIONS, broadcasting. */
  binaryByName(name: string, x: NDArray, y: NDArray): NDArray {
    const expression = wgsl.BINARY_EXPRESSIONS[name];
    if (expression === undefined) throw new DeviceError(`${name}: no webgpu kernel yet`);
    const a = this.operand(x, name);
    const b = this.operand(y, name);
    const shape = broadcastShape(a.shape, b.shape, name);
    const out = this.alloc(shape, 'float32');
    const size = out.size;
    const params = [size, shape.length, ...shape, ...broadcastStrides(a.shape, shape), ...broadcastStrides(b.shape, shape)];
    this.flat(wgsl.binarySource(expression), params, [this.bufferOf(a), this.bufferOf(b), this.bufferOf(out)], size);
    return out;
  }

  matmul(x: NDArray, y: NDArray, flags: MatmulFlags): NDArray {
    const a = this.operand(x, 'matmul');
    const b = this.operand(y, 'matmul');
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
    const out = this.alloc([...batch, m, n], 'float32');
    if (out.size === 0) return out;
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
    if (k === 0) {
      this.fill(out, 0);
      return out;
    }
    this.run(wgsl.MATMUL, params, [this.bufferOf(a), this.bufferOf(b), this.bufferOf(out)], groups);
    return out;
  }

  reduce(x: NDArray, axes: readonly number[], keepDims: boolean, kind: ReduceKind): NDArray {
    const code =
      kind === 'sum'
        ? wgsl.reduceSource('0.0', 'acc + v')
        : kind === 'max'
          ? wgsl.reduceSource('negInf()', 'select(acc, v, v > acc || !(v == v))')
          : wgsl.reduceSource('posInf()', 'select(acc, v, v < acc || !(v == v))');
    return this.reduction(code, this.operand(x, kind), axes, keepDims);
  }

  logSumExp(x: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
    return this.reduction(wgsl.LOG_SUM_EXP, this.operand(x, 'logSumExp'), axes, keepDims);
  }

  /** One workgroup per output element of a reduction over `axes` (the params of wgsl.ts's REDUCE_HEADER). */
  private reduction(code: string, a: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
    const strides = stridesOf(a.shape);
    const kept = a.shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const keptShape = kept.map((d) => a.shape[d]);
    const outShape = keepDims ? a.shape.map((s, d) => (axes.includes(d) ? 1 : s)) : keptShape;
    const out = this.alloc(outShape, 'float32');
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
    this.run(code, params, [this.bufferOf(a), this.bufferOf(out)], this.grid(outputs, 1));
    return out;
  }

  softmax(x: NDArray, axis: number, log: boolean): NDArray {
    const a = this.operand(x, log ? 'logSoftmax' : 'softmax');
    const out = this.alloc(a.shape, 'float32');
    const n = a.shape[axis];
    const inner = sizeOf(a.shape.slice(axis + 1));
    const slices = n === 0 ? 0 : a.size / n;
    this.flat(wgsl.softmaxSource(log), [slices, n, inner], [this.bufferOf(a), this.bufferOf(out)], slices);
    return out;
  }

  /** dst (at dstOffset, dstStrides) <- src (at srcOffset, srcStrides) over `shape`. */
  private stridedCopy(
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
    this.flat(wgsl.stridedCopySource(element), params, [this.bufferOf(src), this.bufferOf(dst)], size);
  }

  private own(x: NDArray, op: string): NDArray {
    if (x.device !== this) throw new DeviceError(`${op}: the array is on '${x.device?.name ?? 'cpu'}', not on 'webgpu'`);
    return x;
  }

  transpose(x: NDArray, perm: readonly number[]): NDArray {
    const a = this.own(x, 'transpose');
    const shape = perm.map((p) => a.shape[p]);
    const own = stridesOf(a.shape);
    const out = this.alloc(shape, a.dtype);
    this.stridedCopy(
      a,
      out,
      shape,
      perm.map((p) => own[p]),
      stridesOf(shape),
    );
    return out;
  }

  broadcastTo(x: NDArray, shape: Shape): NDArray {
    const a = x.device === this ? x : this.operand(x, 'broadcastTo');
    const out = this.alloc(shape, a.dtype);
    this.stridedCopy(a, out, shape, broadcastStrides(a.shape, shape), stridesOf(shape));
    return out;
  }

  reshape(x: NDArray, shape: Shape): NDArray {
    const a = this.own(x, 'reshape');
    const out = this.alloc(shape, a.dtype);
    if (a.size > 0) {
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(this.bufferOf(a), 0, this.bufferOf(out), 0, a.size * 4);
      this.device.queue.submit([encoder.finish()]);
    }
    return out;
  }

  slice(x: NDArray, begin: readonly number[], size: readonly number[]): NDArray {
    const a = this.own(x, 'slice');
    const own = stridesOf(a.shape);
    const start = begin.reduce((s, b, d) => s + b * own[d], 0);
    const out = this.alloc(size, a.dtype);
    this.stridedCopy(a, out, size, own, stridesOf(size), start, 0);
    return out;
  }

  pad(x: NDArray, begin: readonly number[], shape: Shape): NDArray {
    const a = this.own(x, 'pad');
    const out = this.alloc(shape, a.dtype);
    this.fill(out, 0);
    const os = stridesOf(shape);
    const start = begin.reduce((s, b, d) => s + b * os[d], 0);
    this.stridedCopy(a, out, a.shape, stridesOf(a.shape), os, 0, start);
    return out;
  }

  cast(x: NDArray, dtype: DType): NDArray {
    const a = this.own(x, 'cast');
    if (dtype === 'float64') throw new DTypeError(`cast: webgpu has no float64; bring the tensor to the CPU first (await t.to('cpu'))`);
    if (dtype === a.dtype) return this.reshape(a, a.shape);
    const out = this.alloc(a.shape, dtype);
    const t = (d: DType) => (d === 'int32' ? 'i32' : 'f32');
    this.flat(wgsl.castSource(t(a.dtype), t(dtype)), [a.size], [this.bufferOf(a), this.bufferOf(out)], a.size);
    return out;
  }

  /** @internal (spatial.ts too) */
  fill(x: NDArray, value: number): void {
    if (value === 0) {
      const encoder = this.device.createCommandEncoder();
      encoder.clearBuffer(this.bufferOf(x));
      this.device.queue.submit([encoder.finish()]);
    } else this.assign(x, NDArray.scalar(value, 'float32'));
  }

  addInPlace(x: NDArray, other: NDArray, alpha: number): void {
    const target = this.operand(x, 'addInPlace');
    let o = this.operand(other, 'addInPlace');
    // A buffer cannot be bound for reading and writing in one pass: x += x reads a copy.
    if (this.bufferOf(o) === this.bufferOf(target)) o = this.reshape(o, o.shape);
    const shape = target.shape;
    const params = [target.size, shape.length, ...shape, ...shape.map(() => 0), ...broadcastStrides(o.shape, shape), f32Bits(alpha)];
    this.flat(wgsl.ADD_IN_PLACE, params, [this.bufferOf(o), this.bufferOf(target)], target.size);
  }

  mulInPlace(x: NDArray, factor: number): void {
    const target = this.operand(x, 'mulInPlace');
    this.flat(wgsl.MUL_IN_PLACE, [target.size, f32Bits(factor)], [this.bufferOf(target)], target.size);
  }

  assign(x: NDArray, src: NDArray): void {
    const target = this.own(x, 'assign');
    let s = src.device === this ? src : this.operand(src, 'assign');
    if (this.bufferOf(s) === this.bufferOf(target)) s = this.reshape(s, s.shape);
    if (s.dtype !== target.dtype) s = this.cast(s, target.dtype);
    this.stridedCopy(s, target, target.shape, broadcastStrides(s.shape, target.shape), stridesOf(target.shape));
  }

  concat(xs: readonly NDArray[], axis: number, dtype: DType): NDArray {
    if (dtype === 'float64') throw new DTypeError('concat: webgpu has no float64; cast the operands to float32 first');
    const shape = xs[0].shape.slice();
    shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
    const out = this.alloc(shape, dtype);
    const outStrides = stridesOf(shape);
    let offset = 0;
    for (const x of xs) {
      // A CPU operand of one element moves (as in every kernel); any other is the mixed-device error.
      let a = x.device === this ? x : x.device === undefined && x.size === 1 ? this.upload(x, 'concat') : this.operand(x, 'concat');
      if (a.dtype !== dtype) a = this.cast(a, dtype);
      if (a.size > 0) this.stridedCopy(a, out, a.shape, stridesOf(a.shape), outStrides, 0, offset * outStrides[axis]);
      offset += a.shape[axis];
    }
    return out;
  }

  optimizerUpdate(update: DeviceOptimizerUpdate, param: NDArray, grad: NDArray, state: readonly NDArray[]): void {
    const op = update.rule === 'sgd' ? 'SGD.step' : 'Adam.step';
    const buffers = [this.operand(grad, op), this.operand(param, op), ...state.map((s) => this.operand(s, op))].map((a) =>
      this.bufferOf(a),
    );
    if (new Set(buffers).size !== buffers.length)
      throw new DeviceError(`${op}: the parameter, its gradient and its state must not share storage`);
    const size = param.size;
    if (size === 0) return;
    let code: string;
    let coefficients: number[];
    if (update.rule === 'sgd') {
      const { lr, weightDecay, momentum, dampening, nesterov, firstStep } = update;
      code = sgdSource(momentum > 0);
      coefficients = [lr, weightDecay, momentum, dampening, nesterov ? 1 : 0, firstStep ? 1 : 0];
    } else {
      const { lr, betas, eps, weightDecay, decoupled, amsgrad, step } = update;
      const [b1, b2] = betas;
      code = adamSource(amsgrad);
      coefficients = [
        b1,
        1 - b1,
        b2,
        1 - b2,
        eps,
        decoupled ? 0 : weightDecay,
        decoupled ? 1 - lr * weightDecay : 1,
        lr / (1 - b1 ** step),
        Math.sqrt(1 - b2 ** step),
      ];
    }
    this.run(code, [size, ...coefficients.map(f32Bits)], buffers, this.grid(size, wgsl.FLAT_WORKGROUP), true);
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

  where(cond: NDArray, x: NDArray, y: NDArray): NDArray {
    // A CPU condition (a mask the op built) moves: it is a constant of the graph.
    const c =
      cond.device === undefined && cond.size > 1 ? this.upload(cond, 'where') : cond.dtype === 'int32' ? cond : this.operand(cond, 'where');
    const [a, b] = [this.operand(x, 'where'), this.operand(y, 'where')];
    const shape = broadcastShape(broadcastShape(c.shape, a.shape, 'where'), b.shape, 'where');
    const out = this.alloc(shape, 'float32');
    const strides = [c, a, b].flatMap((t) => broadcastStrides(t.shape, shape));
    const code = spatialWgsl.whereSource(c.dtype === 'int32' ? 'i32' : 'f32');
    this.flat(
      code,
      [out.size, shape.length, ...shape, ...strides],
      [c, a, b, out].map((t) => this.bufferOf(t)),
      out.size,
    );
    return out;
  }

  attention(q: NDArray, k: NDArray, v: NDArray, plan: AttentionPlan): { out: NDArray; lse: NDArray } {
    return attention.attentionForward(this, q, k, v, plan);
  }

  attentionBackward(
    dy: NDArray,
    q: NDArray,
    k: NDArray,
    v: NDArray,
    out: NDArray,
    lse: NDArray,
    plan: AttentionPlan,
  ): { dq: NDArray; dk: NDArray; dv: NDArray } {
    return attention.attentionBackward(this, dy, q, k, v, out, lse, plan);
  }

  layerNorm(x: NDArray, width: number, eps: number, weight: NDArray | null, bias: NDArray | null): NDArray {
    return spatial.layerNorm(this, x, width, eps, weight, bias);
  }

  /** Releases the pooled buffers and the device. */
  destroy(): void {
    this.dynamicParams?.destroy();
    this.pool.destroy();
    for (const b of this.params.values()) b.destroy();
    this.params.clear();
    this.device.destroy();
  }
}
