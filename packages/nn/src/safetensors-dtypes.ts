/**
 * The safetensors dtypes: every name the format defines, with its width in bits, and how this library reads the
 * ones it can hold. Data is little-endian. tapegrad tensors are float64, float32 or int32, so a file dtype is read
 * into one of those only where no value can change:
 *   F64, F32, I32          as themselves;
 *   F16, BF16              widened to float32 (every half and bfloat16 value is a float32 value);
 *   BOOL, U8, I8, U16, I16 widened to int32 (BOOL must hold 0 or 1);
 *   U32, I64, U64          to int32 when every value fits, else a SafetensorsError naming the first that does not
 *                          (PyTorch writes BatchNorm's `num_batches_tracked` as a 0-d I64).
 * The rest (8-, 6- and 4-bit floats, complex) are named as valid but unsupported.
 */
import type { DType, TypedArray } from '@tapegrad/core';

/** Width in bits of each dtype the safetensors format defines. */
export const DTYPE_BITS: ReadonlyMap<string, number> = new Map([
  ['BOOL', 8],
  ['U8', 8],
  ['I8', 8],
  ['F8_E5M2', 8],
  ['F8_E4M3', 8],
  ['F8_E8M0', 8],
  ['F8_E4M3FNUZ', 8],
  ['F8_E5M2FNUZ', 8],
  ['F6_E2M3', 6],
  ['F6_E3M2', 6],
  ['F4', 4],
  ['I16', 16],
  ['U16', 16],
  ['F16', 16],
  ['BF16', 16],
  ['I32', 32],
  ['U32', 32],
  ['F32', 32],
  ['F64', 64],
  ['C64', 64],
  ['I64', 64],
  ['U64', 64],
]);

const NAMES: ReadonlyMap<string, string> = new Map([...DTYPE_BITS.keys()].map((k) => [k, k]));

/** The one shared string for a dtype name read from a file (a million entries then hold one "F32", not a million). */
export function sharedName(fileDType: string): string | undefined {
  return NAMES.get(fileDType);
}

/** What a file dtype becomes here; `read` fills `out` from `count` little-endian items at `view`'s start. */
interface Reading {
  readonly dtype: DType;
  /** Returns the index of the first value that does not fit `dtype`, or -1. */
  read(view: DataView, count: number, out: TypedArray): number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** float16 bits to a number: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals, infinities and NaN. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const READINGS: ReadonlyMap<string, Reading> = new Map<string, Reading>([
  ['F64', { dtype: 'float64', read: (v, n, out) => (each(n, (i) => (out[i] = v.getFloat64(i * 8, true))), -1) }],
  ['F32', { dtype: 'float32', read: (v, n, out) => (each(n, (i) => (out[i] = v.getFloat32(i * 4, true))), -1) }],
  ['I32', { dtype: 'int32', read: (v, n, out) => (each(n, (i) => (out[i] = v.getInt32(i * 4, true))), -1) }],
  ['F16', { dtype: 'float32', read: (v, n, out) => (each(n, (i) => (out[i] = halfToNumber(v.getUint16(i * 2, true)))), -1) }],
  // A bfloat16 is the top half of a float32.
  ['BF16', { dtype: 'float32', read: (v, n, out) => (each(n, (i) => (out[i] = bf16ToNumber(v.getUint16(i * 2, true)))), -1) }],
  ['U8', { dtype: 'int32', read: (v, n, out) => (each(n, (i) => (out[i] = v.getUint8(i))), -1) }],
  ['I8', { dtype: 'int32', read: (v, n, out) => (each(n, (i) => (out[i] = v.getInt8(i))), -1) }],
  ['U16', { dtype: 'int32', read: (v, n, out) => (each(n, (i) => (out[i] = v.getUint16(i * 2, true))), -1) }],
  ['I16', { dtype: 'int32', read: (v, n, out) => (each(n, (i) => (out[i] = v.getInt16(i * 2, true))), -1) }],
  ['BOOL', { dtype: 'int32', read: (v, n, out) => firstMisfit(n, out, (i) => v.getUint8(i), 0, 1) }],
  ['U32', { dtype: 'int32', read: (v, n, out) => firstMisfit(n, out, (i) => v.getUint32(i * 4, true), 0, 2 ** 31 - 1) }],
  // A 64-bit value fits int32 exactly when its high word is the sign extension of its low word.
  ['I64', { dtype: 'int32', read: (v, n, out) => wide(v, n, out, (low, high) => high === low >> 31) }],
  ['U64', { dtype: 'int32', read: (v, n, out) => wide(v, n, out, (low, high) => high === 0 && low >= 0) }],
]);

const scratch = new DataView(new ArrayBuffer(4));
function bf16ToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

function each(count: number, body: (i: number) => void): void {
  for (let i = 0; i < count; i++) body(i);
}

function firstMisfit(count: number, out: TypedArray, value: (i: number) => number, min: number, max: number): number {
  for (let i = 0; i < count; i++) {
    const v = value(i);
    if (v < min || v > max) return i;
    out[i] = v;
  }
  return -1;
}

function wide(view: DataView, count: number, out: TypedArray, fits: (low: number, high: number) => boolean): number {
  for (let i = 0; i < count; i++) {
    const low = view.getInt32(i * 8, true);
    if (!fits(low, view.getInt32(i * 8 + 4, true))) return i;
    out[i] = low;
  }
  return -1;
}

/** The tapegrad dtype a file dtype is read as, or undefined when it cannot be read here. */
export function readableAs(fileDType: string): DType | undefined {
  return READINGS.get(fileDType)?.dtype;
}

/** The file dtype tapegrad writes for each of its dtypes. */
export const FILE_DTYPE: Readonly<Record<DType, string>> = { float64: 'F64', float32: 'F32', int32: 'I32' };

/** The value of item `index` of a 64-bit or 32-bit integer dtype, for an error message. */
export function integerAt(fileDType: string, bytes: Uint8Array, index: number): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fileDType === 'I64') return view.getBigInt64(index * 8, true).toString();
  if (fileDType === 'U64') return view.getBigUint64(index * 8, true).toString();
  if (fileDType === 'U32') return String(view.getUint32(index * 4, true));
  return String(view.getUint8(index));
}

/**
 * Reads `count` items of `fileDType` from `bytes` (exactly their bytes) into a fresh typed array. Returns the array,
 * or the index of the first value the target dtype cannot hold. `bytes` may be handed over: when the file dtype is
 * the target dtype, the host is little-endian and `owned` is true, its buffer becomes the tensor's without a copy.
 */
export function readItems(fileDType: string, bytes: Uint8Array, count: number, owned: boolean): TypedArray | number {
  const reading = READINGS.get(fileDType);
  if (reading === undefined) throw new Error(`readItems: ${fileDType} cannot be read`);
  const native = FILE_DTYPE[reading.dtype] === fileDType;
  if (native && LITTLE_ENDIAN) {
    // A typed-array view needs an aligned, private buffer: copy unless this one already is.
    const whole = owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    // (Uint8Array's own slice: a Node Buffer's slice is a view, not a copy.)
    const buffer = whole ? bytes.buffer : Uint8Array.prototype.slice.call(bytes).buffer;
    return reading.dtype === 'float64'
      ? new Float64Array(buffer, 0, count)
      : reading.dtype === 'float32'
        ? new Float32Array(buffer, 0, count)
        : new Int32Array(buffer, 0, count);
  }
  const out =
    reading.dtype === 'float64' ? new Float64Array(count) : reading.dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
  const misfit = reading.read(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), count, out);
  return misfit === -1 ? out : misfit;
}
