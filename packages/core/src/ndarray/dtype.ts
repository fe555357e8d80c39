/** Element types. float64 is the default: gradients are checked to float64 precision. */
export type DType = 'float64' | 'float32' | 'int32';

/** The storage of a Tensor of each dtype: Float64Array, Float32Array or Int32Array. */
export type TypedArray = Float64Array | Float32Array | Int32Array;

export const DTYPES: readonly DType[] = ['float64', 'float32', 'int32'];

export function isDType(value: unknown): value is DType {
  return value === 'float64' || value === 'float32' || value === 'int32';
}

export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float64':
      return new Float64Array(size);
    case 'float32':
      return new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
  }
}

export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  return 'int32';
}

const RANK: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** PyTorch/JAX-style promotion: int32 < float32 < float64; the wider operand wins. */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype of an elementwise op on two arrays, as PyTorch's `result_type`: a 0-d operand next to an operand
 * with axes counts only by its category (integer < float), like a plain number, so `float32[n] * float64[]` stays
 * float32; it decides the dtype only when its category is higher (`int32[n] * float64[]` is float64). Operands of
 * the same kind (both 0-d, or both with axes) promote as `promote` does.
 */
export function resultType(a: { readonly dtype: DType; readonly shape: readonly number[] }, b: typeof a): DType {
  const aZeroD = a.shape.length === 0;
  if (aZeroD === (b.shape.length === 0)) return promote(a.dtype, b.dtype);
  const [zeroD, withAxes] = aZeroD ? [a, b] : [b, a];
  return isFloat(zeroD.dtype) && !isFloat(withAxes.dtype) ? zeroD.dtype : withAxes.dtype;
}

/** The dtype an op that always yields real values (div, exp, ...) produces: int32 operands become float64. */
export function floatResult(dtype: DType): DType {
  return dtype === 'int32' ? 'float64' : dtype;
}
