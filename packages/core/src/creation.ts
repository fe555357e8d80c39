/** Functions that make Tensor leaves: from data, constant fills, ranges, and seeded random draws. */
import { DTypeError, ShapeError, allocationError, formatShape } from './errors.js';
import { type DType, type TypedArray, checkInt32Values, dtypeOfArray, hasInt32Value, int32ValueError, isDType } from './ndarray/dtype.js';
import { NDArray } from './ndarray/ndarray.js';
import { deviceBackend } from './ndarray/device.js';
import { type NestedArray, flatten, inferShape } from './ndarray/nested.js';
import { type Generator, globalGenerator } from './ndarray/random.js';
import { checkShape, describeValue, sizeOf } from './ndarray/shape.js';
import { Tensor } from './tensor.js';

/** Options of the functions that make tensors. */
export interface TensorOptions {
  /** Element type; default float64 (or the typed array's own type). */
  readonly dtype?: DType;
  /** Whether the tensor is a leaf that gets gradients (default false, as in PyTorch). */
  readonly requiresGrad?: boolean;
  /** A display name for listings, DOT graphs and `explain`. */
  readonly name?: string;
  /**
   * Where the elements live: 'cpu' (default) or a registered device such as 'webgpu' (after `await initWebGPU()`).
   * On a device the default dtype is float32, the float type GPUs have.
   */
  readonly device?: string;
}

/** Options of `rand` and `randn`. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; default the global one that `seed(n)` resets. */
  readonly generator?: Generator;
}

function checkDType(dtype: DType | undefined, op: string): DType {
  const d = dtype ?? 'float64';
  if (!isDType(d)) throw new DTypeError(`${op}: unknown dtype ${String(d)}; expected float64, float32 or int32`);
  return d;
}

/** A zero-filled array of a checked shape; a size the engine cannot allocate is a ShapeError naming `op`. */
function allocateArray(shape: readonly number[], dtype: DType, op: string): NDArray {
  checkShape(shape, op);
  try {
    return NDArray.zeros(shape.slice(), dtype);
  } catch (e) {
    if (e instanceof RangeError) throw allocationError(op, shape, dtype, e);
    throw e;
  }
}

function leaf(array: NDArray, options: TensorOptions, op = 'tensor'): Tensor {
  const { device } = options;
  const placed = device === undefined || device === 'cpu' ? array : deviceBackend(device, op).upload(array, op);
  return new Tensor(placed, options.requiresGrad ?? false, options.name);
}

/** The dtype asked for: the option, else float32 on a device (GPUs have no float64), else the default float64. */
function requestedDType(options: TensorOptions): DType | undefined {
  return options.dtype ?? (options.device !== undefined && options.device !== 'cpu' ? 'float32' : undefined);
}

/**
 * A tensor from nested arrays, a number (0-d), or a flat typed array / number array with `{ shape }`.
 * The data is copied.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const w = tensor(new Float32Array(6), { shape: [2, 3] });   // dtype float32 from the array
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype = checkDType(options.dtype ?? dtypeOfArray(data), 'tensor');
    const shape = options.shape ?? [data.length];
    checkShape(shape, 'tensor');
    if (sizeOf(shape) !== data.length)
      throw new ShapeError(`tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, the data has ${data.length}`);
    return fromFlat(data, shape, dtype, options);
  }
  const dtype = checkDType(requestedDType(options), 'tensor');
  const inferred = inferShape(data, 'tensor');
  const flat = flatten(data, inferred, dtype, 'tensor');
  if (options.shape) {
    checkShape(options.shape, 'tensor');
    if (sizeOf(options.shape) !== flat.length)
      throw new ShapeError(
        `tensor: shape ${formatShape(options.shape)} needs ${sizeOf(options.shape)} elements, the data has ${flat.length}`,
      );
    return leaf(new NDArray(flat, options.shape.slice()), options);
  }
  return leaf(new NDArray(flat, inferred), options);
}

function fromFlat(data: ArrayLike<number>, shape: readonly number[], dtype: DType, options: TensorOptions): Tensor {
  if (dtype === 'int32' && !(data instanceof Int32Array)) checkInt32Values(data, shape, 'tensor');
  const array = allocateArray(shape, dtype, 'tensor');
  array.data.set(data);
  return leaf(array, options);
}

/**
 * A tensor of `shape` filled with `value`.
 * @example
 * full([2, 2], 7).toArray();   // [[7, 7], [7, 7]]
 */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled(shape, value, options, 'full');
}
/**
 * A tensor of zeros.
 * @example
 * const b = zeros([3], { requiresGrad: true });
 */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled(shape, 0, options, 'zeros');
}
/**
 * A tensor of ones.
 * @example
 * ones([2, 3]).sum().item();   // 6
 */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled(shape, 1, options, 'ones');
}
/** Zeros with the shape and dtype of `t`. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return filled(likeShape(t, 'zerosLike'), 0, { dtype: t.dtype, device: t.device, ...options }, 'zerosLike');
}
/** Ones with the shape and dtype of `t`. */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return filled(likeShape(t, 'onesLike'), 1, { dtype: t.dtype, device: t.device, ...options }, 'onesLike');
}

function filled(shape: readonly number[], value: number, options: TensorOptions, op: string): Tensor {
  if (typeof value !== 'number') throw new DTypeError(`${op}: the fill value must be a number; got ${describeValue(value)}`);
  const dtype = checkDType(requestedDType(options), op);
  if (dtype === 'int32' && !hasInt32Value(value)) throw int32ValueError(op, value, 'as the fill value');
  const array = allocateArray(shape, dtype, op);
  if (value !== 0) array.data.fill(value);
  return leaf(array, options);
}

function likeShape(t: Tensor, op: string): readonly number[] {
  if (!(t instanceof Tensor)) throw new DTypeError(`${op}: takes a Tensor; got ${describeValue(t)}`);
  return t.shape;
}

/** start, start + step, ... below stop (NumPy's arange); `arange(n)` is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, options: TensorOptions = {}): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0 || !Number.isFinite(step))
    throw new ShapeError(`arange: step must be a non-zero finite number, got ${describeValue(step)}`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new ShapeError(`arange: start and stop must be finite numbers, got ${describeValue(lo)} and ${describeValue(hi)}`);
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const dtype = checkDType(requestedDType(options), 'arange');
  if (dtype === 'int32' && n > 0) {
    if (!hasInt32Value(lo)) throw int32ValueError('arange', lo, 'as the start');
    const last = lo + (n - 1) * step;
    if (!hasInt32Value(last)) throw int32ValueError('arange', last, 'as the last value');
  }
  const array = allocateArray([n], dtype, 'arange');
  for (let i = 0; i < n; i++) array.data[i] = lo + i * step;
  return leaf(array, options);
}

/** The n x m identity (m defaults to n). */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const array = allocateArray([n, m], checkDType(requestedDType(options), 'eye'), 'eye');
  for (let i = 0; i < Math.min(n, m); i++) array.data[i * m + i] = 1;
  return leaf(array, options);
}

/** Uniform samples in [low, high) from the seeded generator. */
export function rand(shape: readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const lo = options.low ?? 0;
  const hi = options.high ?? 1;
  return sampled(shape, options, 'rand', (g) => lo + (hi - lo) * g.uniform());
}

/** Normal samples (mean 0, std 1 unless given) from the seeded generator. */
export function randn(shape: readonly number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  return sampled(shape, options, 'randn', (g) => mean + std * g.normal());
}

/** A leaf whose elements are `draw`n in order from the options' generator (the global one by default). */
function sampled(shape: readonly number[], options: RandomOptions, op: string, draw: (g: Generator) => number): Tensor {
  const g = options.generator ?? globalGenerator;
  const array = allocateArray(shape, checkDType(requestedDType(options), op), op);
  for (let i = 0; i < array.size; i++) array.data[i] = draw(g);
  return leaf(array, options);
}
