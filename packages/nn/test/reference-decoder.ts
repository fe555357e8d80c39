/**
 * A second safetensors reader, written from the format's description alone for the property tests: JSON.parse for
 * the header, DataView (or bit tricks of its own) for the values, and none of the library's code. Where the two
 * readers both accept a file they must agree on every name, dtype, shape and bit; where this one refuses a file, the
 * library must refuse it too. It follows the same documented choices: F16/BF16 widened to float32, 8/16-bit integers
 * and BOOL to int32, U32/I64/U64 to int32 when they fit, rank at most 64, an entry with exactly three keys.
 */

export interface ReferenceTensor {
  readonly dtype: 'float64' | 'float32' | 'int32';
  readonly shape: number[];
  readonly values: number[];
}

export interface ReferenceFile {
  readonly tensors: Map<string, ReferenceTensor>;
  readonly metadata: Map<string, string>;
}

/** Thrown for anything the format does not allow. */
export class Invalid extends Error {}

const UNSUPPORTED = ['F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64'];

function check(condition: boolean, why: string): asserts condition {
  if (!condition) throw new Invalid(why);
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** float16 by its definition: (-1)^s * 2^(e-15) * (1 + f/1024), subnormal 2^-14 * f/1024. */
function half(bits: number): number {
  const s = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const f = bits & 1023;
  if (e === 31) return f ? NaN : s * Infinity;
  return e === 0 ? s * Math.pow(2, -14) * (f / 1024) : s * Math.pow(2, e - 15) * (1 + f / 1024);
}

/** bfloat16: the high half of a float32, through an aliased Uint32Array/Float32Array pair. */
const u32 = new Uint32Array(1);
const f32 = new Float32Array(u32.buffer);
function bfloat(bits: number): number {
  u32[0] = bits * 65536;
  return f32[0];
}

/** An integer of a wider dtype, which must fit int32. */
function int32(v: number | bigint, dtype: string): number {
  const n = Number(v); // exact within int32's range, and on the right side of its bounds outside it
  check(n >= -(2 ** 31) && n < 2 ** 31, `${dtype} beyond int32`);
  return n;
}

/** Each dtype's width in bytes and how a value is read at a byte offset (little-endian). */
const DTYPES: Record<string, readonly [bytes: number, read: (view: DataView, at: number) => number]> = {
  F64: [8, (v, at) => v.getFloat64(at, true)],
  F32: [4, (v, at) => v.getFloat32(at, true)],
  I32: [4, (v, at) => v.getInt32(at, true)],
  F16: [2, (v, at) => Math.fround(half(v.getUint16(at, true)))],
  BF16: [2, (v, at) => bfloat(v.getUint16(at, true))],
  U8: [1, (v, at) => v.getUint8(at)],
  I8: [1, (v, at) => v.getInt8(at)],
  BOOL: [
    1,
    (v, at) => {
      const b = v.getUint8(at);
      check(b <= 1, 'a BOOL must be 0 or 1');
      return b;
    },
  ],
  U16: [2, (v, at) => v.getUint16(at, true)],
  I16: [2, (v, at) => v.getInt16(at, true)],
  U32: [4, (v, at) => int32(v.getUint32(at, true), 'U32')],
  I64: [8, (v, at) => int32(v.getBigInt64(at, true), 'I64')],
  U64: [8, (v, at) => int32(v.getBigUint64(at, true), 'U64')],
};
const bytesOf = (dtype: string): number | undefined => (Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype][0] : undefined);

/** Every value of `view`, read as `dtype`. */
function values(dtype: string, view: DataView): number[] {
  const [bytes, read] = DTYPES[dtype];
  return Array.from({ length: view.byteLength / bytes }, (_, i) => read(view, bytes * i));
}

export function referenceDecode(file: Uint8Array): ReferenceFile {
  check(file.length >= 8, 'shorter than the length field');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = view.getBigUint64(0, true);
  check(n <= 100_000_000n, 'header over 100 MB');
  check(8n + n <= BigInt(file.length), 'header past the end');
  const headerBytes = file.subarray(8, 8 + Number(n));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new Invalid('header not UTF-8');
  }
  check(text.startsWith('{'), "header must start with '{'");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new Invalid('header not JSON');
  }
  check(typeof header === 'object' && header !== null && !Array.isArray(header), 'header not an object');
  const dataStart = 8 + Number(n);
  const dataLength = file.length - dataStart;
  const metadata = new Map<string, string>();
  const spans: Array<{ name: string; dtype: string; shape: number[]; begin: number; end: number }> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry === null) continue;
      check(typeof entry === 'object' && !Array.isArray(entry), '__metadata__ not an object');
      for (const [k, v] of Object.entries(entry as object)) {
        check(typeof v === 'string', 'metadata value not a string');
        metadata.set(k, v);
      }
      continue;
    }
    check(typeof entry === 'object' && entry !== null && !Array.isArray(entry), 'entry not an object');
    const keys = Object.keys(entry).sort();
    check(keys.join() === 'data_offsets,dtype,shape', 'entry keys');
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    check(typeof dtype === 'string' && !UNSUPPORTED.includes(dtype), 'dtype');
    const bytes = bytesOf(dtype);
    check(bytes !== undefined, 'dtype');
    check(Array.isArray(shape) && shape.length <= 64 && shape.every(isCount), 'shape');
    check(Array.isArray(offsets) && offsets.length === 2 && offsets.every(isCount), 'offsets');
    const [begin, end] = offsets;
    const count = shape.reduce((a, b) => a * b, 1);
    check(begin <= end && end <= dataLength && count * bytes === end - begin, 'size');
    spans.push({ name, dtype, shape: shape, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    check(s.begin === covered, 'hole or overlap');
    covered = s.end;
  }
  check(covered === dataLength, 'trailing bytes');
  const tensors = new Map<string, ReferenceTensor>();
  for (const s of spans) {
    const target = s.dtype === 'F64' ? 'float64' : ['F32', 'F16', 'BF16'].includes(s.dtype) ? 'float32' : 'int32';
    const data = new DataView(file.buffer, file.byteOffset + dataStart + s.begin, s.end - s.begin);
    tensors.set(s.name, { dtype: target, shape: s.shape, values: values(s.dtype, data) });
  }
  return { tensors, metadata };
}
