/**
 * The safetensors format (Hugging Face), on bytes, browser-safe:
 *   [8 bytes: N, unsigned little-endian 64-bit] [N bytes: JSON header] [the byte buffer]
 * The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets relative to the byte
 * buffer), plus an optional "__metadata__" map of strings. Data is raw little-endian, row-major. The buffer must be
 * covered exactly: no overlaps, no holes, nothing after the last tensor.
 *
 * Reading validates the whole header (safetensors-header.ts) and every entry against the buffer before it allocates
 * any tensor, so a hostile file costs time and memory in proportion to its own size. The steps are exported for
 * node.ts, which reads a file in pieces rather than whole.
 */
import { type DType, NDArray, Tensor, type TypedArray } from '@tapegrad/core';
import { DTYPE_BITS, FILE_DTYPE, integerAt, readItems, readableAs, sharedName } from './safetensors-dtypes.js';
import { type HeaderEntry, MAX_ENTRIES, MAX_RANK, SafetensorsError, fail, parseHeader, quote } from './safetensors-header.js';

export { SafetensorsError, MAX_ENTRIES, MAX_RANK };

/** The largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Serialises tensors (e.g. `model.stateDict()`) to safetensors bytes, with optional string metadata.
 * @example
 * const bytes = encodeSafetensors(model.stateDict(), { epoch: '3' });
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  // A null-prototype header, so a tensor named `__proto__` is a member like any other.
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata !== undefined) {
    const copy = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`encodeSafetensors: metadata ${quote(k)} must be a string, got ${typeof v}`);
      copy[k] = v;
    }
    header.__metadata__ = copy;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  // What the reader would refuse is refused here, before a file that cannot be read back is written.
  if (entries.length > MAX_ENTRIES)
    throw new SafetensorsError(`encodeSafetensors: ${entries.length} tensors, more than the ${MAX_ENTRIES} a file may hold`);
  if (metadata !== undefined && Object.keys(metadata).length > MAX_ENTRIES)
    throw new SafetensorsError(
      `encodeSafetensors: ${Object.keys(metadata).length} metadata entries, more than the ${MAX_ENTRIES} a file may hold`,
    );
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(`encodeSafetensors: '__metadata__' is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new SafetensorsError(`encodeSafetensors: ${quote(name)} is not a Tensor`);
    if (t.shape.length > MAX_RANK)
      throw new SafetensorsError(`encodeSafetensors: ${quote(name)} has ${t.shape.length} dimensions, more than ${MAX_RANK}`);
    const bytes = t.data.byteLength;
    header[name] = { dtype: FILE_DTYPE[t.dtype], shape: t.shape.slice(), data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (json.length > MAX_HEADER_BYTES)
    throw new SafetensorsError(
      `encodeSafetensors: the header would be ${json.length} bytes, over the ${MAX_HEADER_BYTES}-byte limit readers hold to`,
    );
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

/** A tensor entry checked against the buffer: its elements, and the tapegrad dtype it is read as. */
export interface Entry extends HeaderEntry {
  readonly elements: number;
  readonly readAs: DType;
}

/** A validated header. */
export interface Layout {
  /** Ordered by offset. */
  readonly entries: Entry[];
  /** A null-prototype object ({} when the file has none). */
  readonly metadata: Record<string, string>;
  /** Where the byte buffer starts in the file: 8 + the header's length. */
  readonly dataStart: number;
}

/**
 * The header's length from the file's first 8 bytes, checked against the limit and the file's length. `fileLength`
 * is the whole file's, which `prefix` (its first bytes) may be shorter than.
 */
export function headerLength(prefix: Uint8Array, fileLength: number): number {
  if (fileLength < 8) fail(`truncated file: ${fileLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (length > MAX_HEADER_BYTES) fail(`header length ${length} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (length > fileLength - 8)
    fail(`header length ${length} runs past the end of the file (${fileLength - 8} bytes after the length field)`);
  if (length < 2) fail(`header length ${length} is too short to hold a JSON object`);
  return length;
}

/** Parses and checks the header bytes against a byte buffer of `dataLength` bytes. Allocates no tensor. */
export function layoutOf(headerBytes: Uint8Array, dataLength: number): Layout {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    fail('the header is not valid UTF-8');
  }
  const header = parseHeader(text);
  // Each parsed entry is replaced by its checked form in place, so the two are never all alive at once.
  const entries = header.entries as Array<HeaderEntry | Entry> as Entry[];
  for (let i = 0; i < entries.length; i++) entries[i] = checkEntry(entries[i], dataLength);
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkCoverage(entries, dataLength);
  return { entries, metadata: header.metadata ?? (Object.create(null) as Record<string, string>), dataStart: 8 + headerBytes.length };
}

/**
 * The tensor of `entry` from exactly its bytes. With `owned`, `bytes` is a private buffer the tensor may keep.
 * Throws a SafetensorsError for a value its dtype cannot hold (an I64 beyond int32, a BOOL other than 0 or 1).
 */
export function tensorOf(entry: Entry, bytes: Uint8Array, owned: boolean): Tensor {
  const data = readItems(entry.dtype, bytes, entry.elements, owned);
  if (typeof data === 'number') {
    const value = integerAt(entry.dtype, bytes, data);
    const range = entry.dtype === 'BOOL' ? 'is neither 0 nor 1' : `does not fit the ${entry.readAs} it is read as`;
    fail(`tensor ${quote(entry.name)}: ${entry.dtype} value ${value} at index ${data} ${range}`);
  }
  return new Tensor(new NDArray(data, entry.shape));
}

/**
 * Reads safetensors bytes into tensors by name. Every check (lengths, JSON, dtypes, shapes, offsets: in range,
 * matching the shape, no overlap, no hole) runs before any tensor is allocated; a bad file throws SafetensorsError.
 * The result has no prototype, so any name (`__proto__` too) is an ordinary key. F16 and BF16 are read as
 * float32, 8- and 16-bit integers and BOOL as int32, and U32, I64 and U64 as int32 when every value fits.
 * @example
 * model.loadStateDict(decodeSafetensors(bytes));
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const { entries, dataStart } = layoutOfBytes(bytes);
  const out = Object.create(null) as Record<string, Tensor>;
  for (const e of entries) out[e.name] = tensorOf(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), false);
  return out;
}

/**
 * The `__metadata__` map of safetensors bytes ({} when absent; no prototype), after the same validation as
 * decodeSafetensors.
 * @example safetensorsMetadata(bytes).epoch;
 */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return layoutOfBytes(bytes).metadata;
}

function layoutOfBytes(bytes: Uint8Array): Layout {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  const length = headerLength(bytes, bytes.length);
  return layoutOf(bytes.subarray(8, 8 + length), bytes.length - 8 - length);
}

function checkEntry(e: HeaderEntry, dataLength: number): Entry {
  const where = `tensor ${quote(e.name)}`;
  const dtype = sharedName(e.dtype);
  const bits = DTYPE_BITS.get(e.dtype);
  if (bits === undefined || dtype === undefined)
    fail(`${where}: unknown dtype ${quote(e.dtype)} (the format defines ${[...DTYPE_BITS.keys()].join(', ')})`);
  const readAs = readableAs(e.dtype);
  if (readAs === undefined)
    fail(`${where}: dtype ${e.dtype} is valid safetensors but not supported here (tapegrad holds float64, float32 and int32)`);
  const { begin, end, shape } = e;
  if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength)
    fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the ${dataLength}-byte buffer (truncated file?)`);
  // The element count is checked against the buffer as it grows, so a hostile shape never forms a huge number.
  let elements = shape.includes(0) ? 0 : 1;
  for (const d of shape) {
    elements *= d;
    if ((elements * bits) / 8 > dataLength)
      fail(`${where}: shape ${shapeText(shape)} of ${e.dtype} needs more bytes than the whole ${dataLength}-byte buffer`);
  }
  const bytes = (elements * bits) / 8;
  if (bytes !== end - begin)
    fail(`${where}: shape ${shapeText(shape)} of ${e.dtype} needs ${bytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return { name: e.name, dtype, shape, begin, end, elements, readAs };
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkCoverage(sorted: readonly Entry[], dataLength: number): void {
  let at = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < at)
      fail(`tensors ${quote(previous!.name)} [${previous!.begin}, ${previous!.end}] and ${quote(e.name)} [${e.begin}, ${e.end}] overlap`);
    if (e.begin > at) fail(`bytes [${at}, ${e.begin}) of the buffer belong to no tensor (a hole before ${quote(e.name)})`);
    at = e.end;
    previous = e;
  }
  if (at !== dataLength)
    fail(`the buffer has ${dataLength} bytes but the tensors cover only ${at}: ${dataLength - at} trailing bytes belong to no tensor`);
}
