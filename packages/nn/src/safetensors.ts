/**
 * The safetensors format (Hugging Face), on bytes, browser-safe:
 *   [8 bytes: N, unsigned little-endian 64-bit] [N bytes: JSON header] [the byte buffer]
 * The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets relative to the byte
 * buffer), plus an optional "__metadata__" map of strings. Data is raw little-endian, row-major. The buffer must be
 * covered exactly: no overlaps, no holes, nothing after the last tensor.
 * Decoding validates the whole header before allocating any tensor, so a hostile file costs at most its own size.
 */
import { type DType, NDArray, Tensor, TapegradError, type TypedArray } from '@tapegrad/core';

/** A file that is not valid safetensors (or a tensor that cannot be written): the message says what and where. */
export class SafetensorsError extends TapegradError {}

/** The largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const TO_FILE: Record<DType, string> = { float64: 'F64', float32: 'F32', int32: 'I32' };
const FROM_FILE: Record<string, { dtype: DType; bytes: number }> = {
  F64: { dtype: 'float64', bytes: 8 },
  F32: { dtype: 'float32', bytes: 4 },
  I32: { dtype: 'int32', bytes: 4 },
};
// Valid safetensors dtypes this library has no tensor type for: named in the error rather than called unknown.
const UNSUPPORTED = new Set(['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2']);

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Serialises tensors (e.g. `model.stateDict()`) to safetensors bytes, with optional string metadata.
 * @example
 * const bytes = encodeSafetensors(model.stateDict(), { epoch: '3' });
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new SafetensorsError(`encodeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(`encodeSafetensors: '__metadata__' is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new SafetensorsError(`encodeSafetensors: '${name}' is not a Tensor`);
    const bytes = t.data.byteLength;
    header[name] = { dtype: TO_FILE[t.dtype], shape: t.shape.slice(), data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces so the buffer starts 8-byte aligned (as the reference writer does).
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    writeLittleEndian(t.data, out, at);
    at += t.data.byteLength;
  }
  return out;
}

function writeLittleEndian(data: TypedArray, out: Uint8Array, at: number): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, data.byteLength);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float64Array) view.setFloat64(i * 8, data[i], true);
    else if (data instanceof Float32Array) view.setFloat32(i * 4, data[i], true);
    else view.setInt32(i * 4, data[i], true);
  }
}

interface Entry {
  readonly name: string;
  readonly dtype: DType;
  readonly itemBytes: number;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

interface Parsed {
  readonly entries: Entry[];
  readonly metadata: Record<string, string> | null;
  readonly dataStart: number;
}

/**
 * Reads safetensors bytes into tensors by name. Every check (lengths, JSON, dtypes, shapes, offsets: in range,
 * matching the shape, no overlap, no hole) runs before any tensor is allocated; a bad file throws SafetensorsError.
 * @example
 * model.loadStateDict(decodeSafetensors(bytes));
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const { entries, dataStart } = parse(bytes);
  const out: Record<string, Tensor> = {};
  for (const e of entries) {
    const count = (e.end - e.begin) / e.itemBytes;
    const data = readLittleEndian(bytes, dataStart + e.begin, count, e.dtype);
    out[e.name] = new Tensor(new NDArray(data, e.shape));
  }
  return out;
}

/**
 * The `__metadata__` map of safetensors bytes ({} when absent), after the same validation as decodeSafetensors.
 * @example safetensorsMetadata(bytes).epoch;
 */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parse(bytes).metadata ?? {};
}

function readLittleEndian(bytes: Uint8Array, at: number, count: number, dtype: DType): TypedArray {
  const itemBytes = dtype === 'float64' ? 8 : 4;
  // Copy into a fresh buffer: the source offset need not be aligned for a typed-array view.
  // (Node's Buffer.slice returns a view into its shared pool, so copy explicitly.)
  const copy = new Uint8Array(count * itemBytes);
  copy.set(bytes.subarray(at, at + count * itemBytes));
  if (LITTLE_ENDIAN)
    return dtype === 'float64'
      ? new Float64Array(copy.buffer)
      : dtype === 'float32'
        ? new Float32Array(copy.buffer)
        : new Int32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const out = dtype === 'float64' ? new Float64Array(count) : dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++)
    out[i] =
      dtype === 'float64' ? view.getFloat64(i * 8, true) : dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}

function fail(message: string): never {
  throw new SafetensorsError(`safetensors: ${message}`);
}

function parse(bytes: Uint8Array): Parsed {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) fail(`truncated file: ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLength > bytes.length - 8)
    fail(`header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);
  if (headerLength < 2) fail(`header length ${headerLength} is too short to hold a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`the header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header must be a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(raw);
      continue;
    }
    entries.push(checkEntry(name, raw, dataLength));
  }
  checkCoverage(entries, dataLength);
  return { entries, metadata, dataStart };
}

function checkMetadata(raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`__metadata__ must be an object of strings`);
  for (const [k, v] of Object.entries(raw as Record<string, unknown>))
    if (typeof v !== 'string') fail(`__metadata__ entry '${k}' must be a string, got ${JSON.stringify(v)}`);
  return raw as Record<string, string>;
}

function checkEntry(name: string, raw: unknown, dataLength: number): Entry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail(`tensor '${name}': entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`tensor '${name}': dtype must be a string, got ${JSON.stringify(dtype)}`);
  const kind = FROM_FILE[dtype];
  if (kind === undefined) {
    if (UNSUPPORTED.has(dtype)) fail(`tensor '${name}': dtype ${dtype} is valid safetensors but not supported here (only F64, F32, I32)`);
    fail(`tensor '${name}': unknown dtype ${JSON.stringify(dtype)} (expected F64, F32 or I32)`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    fail(`tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
    fail(`tensor '${name}': data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength)
    fail(`tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the ${dataLength}-byte buffer (truncated file?)`);
  // The element count is checked against the buffer as it grows, so a hostile shape never forms a huge number.
  const dims = shape as number[];
  let elements = dims.includes(0) ? 0 : 1;
  for (const d of dims) {
    elements *= d;
    if (elements * kind.bytes > dataLength)
      fail(`tensor '${name}': shape ${JSON.stringify(shape)} of ${dtype} needs more bytes than the whole ${dataLength}-byte buffer`);
  }
  if (elements * kind.bytes !== end - begin) {
    fail(
      `tensor '${name}': shape ${JSON.stringify(shape)} of ${dtype} needs ${elements * kind.bytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype: kind.dtype, itemBytes: kind.bytes, shape: dims.slice(), begin, end };
}

function checkCoverage(entries: readonly Entry[], dataLength: number): void {
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < at)
      fail(`tensors '${previous!.name}' [${previous!.begin}, ${previous!.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap`);
    if (e.begin > at) fail(`bytes [${at}, ${e.begin}) of the buffer belong to no tensor (a hole before '${e.name}')`);
    at = e.end;
    previous = e;
  }
  if (at !== dataLength)
    fail(`the buffer has ${dataLength} bytes but the tensors cover only ${at}: ${dataLength - at} trailing bytes belong to no tensor`);
}
