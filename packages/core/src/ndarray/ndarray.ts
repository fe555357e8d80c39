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

/**
 * @example
 * const a = new NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * const t = new Tensor(a);   // shares a.data
 */
export class NDArray {
  static {
    brand(this, 'NDArray');
  }
  /** Number of elements (the product of the shape). */
  readonly size: number;
  /** Element type, read from the typed array's class. */
  readonly dtype: DType;
  /** @internal the version counter of this storage, bumped by every in-place change (see Node._version). */
  _version = 0;

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
    return formatWithValues('ndarray', this.data, this.shape, this.dtype, [`shape=[${this.shape.join(', ')}]`, `dtype=${this.dtype}`]);
  }
  /** What `console.log` and `util.inspect` show in Node: `toString()`, not the fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
