import { DTypeError } from '../errors.js';

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

/**
 * @internal While `made` is a list (a call of a vmap with `reuseOutputs`), every allocation is listed in it, so the
 * caller can tell its own results from values made before it.
 */
export const recycling: { made: TypedArray[] | null } = { made: null };

/** Arrays of at least this many elements come from, and go back to, the pool (smaller ones cost less than its lookup). */
export const POOL_MIN = 4096;

/**
 * @internal The buffer pool behind `allocate` (docs/decisions.md, "Output memory"): released arrays kept by dtype
 * and length, at most `limit` bytes (see releaseArray for what a release that would pass it does). `owned` holds every pooled-size
 * array `allocate` made that no user code has been handed (Tensor `data` takes it out): only those may be released,
 * so memory a caller passed in or read out is never reused.
 */
export const pool = {
  limit: 64 * 2 ** 20,
  bytes: 0,
  free: { float64: new Map(), float32: new Map(), int32: new Map() } as Record<DType, Map<number, TypedArray[]>>,
  owned: new WeakSet<TypedArray>(),
};

/**
 * @internal Memory given back to the vmapped function whose output held it (docs/decisions.md, "vmap's outputs given
 * back by dispose"): an array in `donatedTo`, when released (its last tensor disposed), joins that function's list
 * instead of the pool, whatever its size; while the function runs again, `donation.current` is that list, and
 * allocations of a donated array's dtype and length take it before the pool.
 */
export const donatedTo = new WeakMap<TypedArray, TypedArray[]>();
export const donation = { current: null as TypedArray[] | null };

/** A zero-filled array of `size` elements: pooled memory (filled with zeros) when there is some, else new memory. */
export function allocate(dtype: DType, size: number): TypedArray {
  return take(dtype, size, true);
}

/**
 * An array of `size` elements whose contents are unspecified: for kernels that write every element before anything
 * reads it (elementwise maps). A kernel that accumulates into its output takes `allocate`. `make`, when given, makes
 * new memory in place of a plain array (a kernel's own kind of memory; null: a plain array after all).
 */
export function allocateUnfilled(dtype: DType, size: number, make?: (size: number) => TypedArray | null): TypedArray {
  return take(dtype, size, false, make);
}

/** A copy of `data` in new memory (or memory given back, see `donation` and `pool`). */
export function copyArray(data: TypedArray): TypedArray {
  const out = take(dtypeOfArray(data), data.length, false);
  out.set(data);
  return out;
}

function take(dtype: DType, size: number, zero: boolean, make?: (size: number) => TypedArray | null): TypedArray {
  const out = takeMemory(dtype, size, zero, make);
  recycling.made?.push(out);
  return out;
}

function takeMemory(dtype: DType, size: number, zero: boolean, make?: (size: number) => TypedArray | null): TypedArray {
  if (size < POOL_MIN) return make?.(size) ?? fresh(dtype, size);
  const donated = donation.current;
  const d = donated === null ? -1 : donated.findIndex((a) => a.length === size && dtypeOfArray(a) === dtype);
  const reused = d >= 0 ? donated!.splice(d, 1)[0] : pool.free[dtype].get(size)?.pop();
  const out = reused ?? make?.(size) ?? fresh(dtype, size);
  if (reused) {
    if (d < 0) pool.bytes -= out.byteLength;
    if (zero) out.fill(0);
  }
  pool.owned.add(out);
  return out;
}

/**
 * Gives `data` back to the pool, for a later `allocate` of its dtype and length. The caller must know nothing else
 * reads it any more. Only arrays `allocate` made and never handed to user code are taken (returns whether it was).
 */
export function releaseArray(data: TypedArray): boolean {
  if (!pool.owned.delete(data)) return false;
  const donee = donatedTo.get(data);
  if (donee !== undefined) return donatedTo.delete(data) && donee.push(data) > 0;
  const byLength = pool.free[dtypeOfArray(data)];
  const list = byLength.get(data.length);
  if (pool.bytes + data.byteLength > pool.limit) {
    // Full: arrays of every other dtype and length go (shapes a program no longer uses). Arrays of this one stay, and
    // if they alone fill the pool this one goes to the collector instead: a loop whose working set of one size passes
    // the limit (a loop of grad in tidy: 128 of W1's dW1) then finds the limit's worth again at its next step, where
    // emptying the pool left it only the releases since the last emptying.
    emptyPool();
    if (list !== undefined) {
      byLength.set(data.length, list);
      pool.bytes = list.length * data.byteLength;
      if (pool.bytes + data.byteLength > pool.limit) return false;
    }
  }
  if (list) list.push(data);
  else byLength.set(data.length, [data]);
  pool.bytes += data.byteLength;
  return true;
}

/** Marks `data` as handed to user code (a Tensor's `data`): it is never released into the pool. */
export function handOut(data: TypedArray): TypedArray {
  if (data.length >= POOL_MIN) pool.owned.delete(data);
  return data;
}

/** Empties the pool (its memory goes back to the garbage collector). */
export function emptyPool(): void {
  for (const d of DTYPES) pool.free[d].clear();
  pool.bytes = 0;
}

function fresh(dtype: DType, size: number): TypedArray {
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

/**
 * Whether `value` has an int32 value: after truncation toward zero (PyTorch's, NumPy's and TF.js's conversion of
 * a fraction) it lies in [-2^31, 2^31 - 1]. NaN, the infinities and larger magnitudes do not: typed-array
 * conversion would make them 0 or wrap them modulo 2^32, a silently wrong number (docs/decisions.md).
 */
export function hasInt32Value(value: number): boolean {
  return value > -2147483649 && value < 2147483648;
}

/**
 * Refuses the first value of `data` that has no int32 value (hasInt32Value) with a DTypeError naming `op` and the
 * value's index in `shape` (row-major), followed by `suffix` (say, whose data it is).
 */
export function checkInt32Values(data: ArrayLike<number>, shape: readonly number[], op: string, suffix = ''): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (hasInt32Value(v)) continue;
    const index: number[] = [];
    for (let d = shape.length - 1, rest = i; d >= 0; d--) {
      index.unshift(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
    throw int32ValueError(op, v, `at index [${index.join(', ')}]${suffix}`);
  }
}

/** The DTypeError for a value with no int32 value; `where` says where it was (`at index [1, 0]`, `as the fill value`). */
export function int32ValueError(op: string, value: number, where: string): DTypeError {
  return new DTypeError(
    `${op}: ${String(value)} ${where} has no int32 value (an integer in [-2^31, 2^31 - 1] after truncation toward zero)`,
  );
}
