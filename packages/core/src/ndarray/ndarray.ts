/**
 * A dense, row-major, immutable-by-convention n-dimensional array: the value a Tensor node holds.
 * Knows nothing of gradients; kernels take and return these. Most users never need it: `tensor(...)`
 * makes Tensors from data; `new Tensor(ndarray)` wraps one without copying (for loaders and fused ops).
 */
import { type DType, type TypedArray, allocate, dtypeOfArray } from './dtype.js';
import { type Shape, checkShape, sizeOf } from './shape.js';
import { ShapeError, formatShape } from '../errors.js';
import { formatWithValues } from './format.js';
import { brand } from '../shared.js';
import { type DeviceBackend, deviceDataError } from './device.js';

/**
 * @example
 * const a = new NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * const t = new Tensor(a);   // shares a.data
 */
export class NDArray {
  static {
    brand(this, 'NDArray');
    // CPU arrays read `device` and `handle` from here (undefined); device arrays carry their own.
    Object.defineProperty(this.prototype, 'device', { value: undefined, writable: true });
    Object.defineProperty(this.prototype, 'handle', { value: undefined, writable: true });
  }
  /** Number of elements (the product of the shape). */
  readonly size: number;
  /** Element type, read from the typed array's class. */
  readonly dtype: DType;
  /** @internal the version counter of this storage, bumped by every in-place change (see Node._version). */
  _version = 0;
  /** @internal how many Tensors hold this array (tidy.ts: its memory is released only by the last one disposed). */
  _holders = 0;
  /**
   * The device backend holding the elements, or undefined for JavaScript memory (device.ts). Kept on the prototype
   * for CPU arrays, so they are built exactly as before; only device arrays carry their own.
   */
  declare readonly device: DeviceBackend | undefined;
  /** @internal the backend's handle to the device storage (a GPU buffer); undefined on the CPU. */
  declare readonly handle: unknown;

  /**
   * Wraps `data` (not copied) as an array of `shape`; `data.length` must equal the product of `shape`.
   * @param data - the row-major elements
   * @param shape - the extent of each axis
   */
  constructor(
    readonly data: TypedArray,
    readonly shape: Shape,
  ) {
    this.size = data.length;
    this.dtype = dtypeOfArray(data);
    checkShape(shape, 'NDArray');
    if (sizeOf(shape) !== data.length) {
      throw new ShapeError(`NDArray: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, the data has ${data.length}`);
    }
  }

  /**
   * @internal an array whose elements live on `device` behind `handle`; reading `data` throws a DeviceError that
   * says how to read them (asynchronously). Made without the constructor, which needs the elements.
   */
  static onDevice(device: DeviceBackend, handle: unknown, shape: Shape, dtype: DType): NDArray {
    checkShape(shape, 'NDArray');
    const a = Object.create(NDArray.prototype) as { -readonly [K in keyof NDArray]: NDArray[K] };
    Object.defineProperty(a, 'data', {
      get(this: NDArray): never {
        throw deviceDataError(this);
      },
    });
    a.shape = shape;
    a.size = sizeOf(shape);
    a.dtype = dtype;
    a._version = 0;
    a._holders = 0;
    a.device = device;
    a.handle = handle;
    return a;
  }

  /** A zero-filled array of `shape` and `dtype`. */
  static zeros(shape: Shape, dtype: DType): NDArray {
    return new NDArray(allocate(dtype, sizeOf(shape)), shape);
  }

  /** A 0-d array holding `value`. */
  static scalar(value: number, dtype: DType): NDArray {
    const data = allocate(dtype, 1);
    data[0] = value;
    return new NDArray(data, []);
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** The values as PyTorch prints a tensor, then the shape and dtype. */
  toString(): string {
    if (this.device !== undefined) return `ndarray(<on ${this.device.name}>, shape=[${this.shape.join(', ')}], dtype=${this.dtype})`;
    return formatWithValues('ndarray', this.data, this.shape, this.dtype, [`shape=[${this.shape.join(', ')}]`, `dtype=${this.dtype}`]);
  }
  /** What `console.log` and `util.inspect` show in Node: `toString()`, not the fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
