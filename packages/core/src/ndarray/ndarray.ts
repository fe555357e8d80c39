/**
 * A dense, row-major, immutable-by-convention n-dimensional array: the value a Tensor node holds.
 * Knows nothing of gradients; kernels take and return these.
 */
import { DType, TypedArray, allocate, dtypeOfArray } from './dtype.js';
import { Shape, sizeOf } from './shape.js';

export class NDArray {
  readonly size: number;
  readonly dtype: DType;

  constructor(
    readonly data: TypedArray,
    readonly shape: Shape,
  ) {
    this.size = data.length;
    this.dtype = dtypeOfArray(data);
  }

  static zeros(shape: Shape, dtype: DType): NDArray {
    return new NDArray(allocate(dtype, sizeOf(shape)), shape);
  }

  static scalar(value: number, dtype: DType): NDArray {
    const data = allocate(dtype, 1);
    data[0] = value;
    return new NDArray(data, []);
  }

  get rank(): number {
    return this.shape.length;
  }
}
