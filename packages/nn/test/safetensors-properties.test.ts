// Property tests of the safetensors reader and writer (fast-check): random checkpoints round-trip bit for bit, and
// every mutation of a valid file (bytes flipped, cut, appended, header edited) is either a SafetensorsError or
// decodes to exactly what an independent reader (reference-decoder.ts) reads. Sized to a few seconds.
import fc from 'fast-check';
import { type DType, type Tensor, tensor } from '@tapegrad/core';
import { SafetensorsError, decodeSafetensors, encodeSafetensors, safetensorsMetadata } from '@tapegrad/nn';
import { Invalid, type ReferenceFile, referenceDecode } from './reference-decoder';

/** Names a checkpoint may use: any string, with the ones that are traps for a plain object mixed in often. */
const name = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', '0', 'a.b', ''),
);

const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

function tensorOf(dtype: DType, dims: number[]): fc.Arbitrary<Tensor> {
  const size = dims.reduce((a, b) => a * b, 1);
  const values =
    dtype === 'float64'
      ? fc.float64Array({ minLength: size, maxLength: size })
      : dtype === 'float32'
        ? fc.float32Array({ minLength: size, maxLength: size })
        : fc.int32Array({ minLength: size, maxLength: size });
  return values.map((data) => tensor(data, { shape: dims, dtype }));
}

const anyTensor = fc.tuple(fc.constantFrom<DType>('float64', 'float32', 'int32'), shape).chain(([dtype, dims]) => tensorOf(dtype, dims));

/** A checkpoint: tensors by name (a null-prototype object) and string metadata. */
const checkpoint = fc
  .tuple(
    fc.uniqueArray(fc.tuple(name, anyTensor), { maxLength: 6, selector: ([n]) => n }),
    fc.option(fc.uniqueArray(fc.tuple(name, fc.string({ maxLength: 10 })), { maxLength: 4, selector: ([k]) => k }), { nil: undefined }),
  )
  .filter(([tensors]) => tensors.every(([n]) => n !== '__metadata__'))
  .map(([tensors, meta]) => {
    const state: Record<string, Tensor> = Object.create(null);
    for (const [n, t] of tensors) state[n] = t;
    let metadata: Record<string, string> | undefined;
    if (meta !== undefined) {
      metadata = Object.create(null) as Record<string, string>;
      for (const [k, v] of meta) metadata[k] = v;
    }
    return { state, metadata };
  });

/** Bit-level equality, so NaN payloads... at least NaN and -0 count as themselves. */
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

/** The library's reading of `bytes` equals the reference's. */
function agrees(bytes: Uint8Array, reference: ReferenceFile): void {
  const decoded = decodeSafetensors(bytes);
  expect(Object.keys(decoded).sort()).toEqual([...reference.tensors.keys()].sort());
  for (const [n, r] of reference.tensors) {
    const t = Object.getOwnPropertyDescriptor(decoded, n)?.value as Tensor;
    expect(t.dtype).toBe(r.dtype);
    expect(t.shape).toEqual(r.shape);
    if (!same(t.data, r.values)) throw new Error(`tensor ${JSON.stringify(n)}: values differ`);
  }
  expect(new Map(Object.entries(safetensorsMetadata(bytes)))).toEqual(reference.metadata);
}

describe('round trips', () => {
  it('encode then decode gives back every name, dtype, shape, bit and metadata entry; the reference reads the same', () => {
    fc.assert(
      fc.property(checkpoint, ({ state, metadata }) => {
        const bytes = encodeSafetensors(state, metadata);
        const back = decodeSafetensors(bytes);
        expect(Object.keys(back).sort()).toEqual(Object.keys(state).sort());
        for (const n of Object.keys(state)) {
          const [a, b] = [
            Object.getOwnPropertyDescriptor(state, n)?.value as Tensor,
            Object.getOwnPropertyDescriptor(back, n)?.value as Tensor,
          ];
          expect(b.dtype).toBe(a.dtype);
          expect(b.shape).toEqual(a.shape);
          expect(same(b.data, a.data)).toBe(true);
        }
        expect({ ...safetensorsMetadata(bytes) }).toEqual({ ...(metadata ?? {}) });
        agrees(bytes, referenceDecode(bytes));
      }),
      { numRuns: 300 },
    );
  });
});

/** One way to damage a file. */
type Mutation = (bytes: Uint8Array) => Uint8Array;

/** The header length a file declares, when it has a length field and the header fits (earlier cuts may undo both). */
function headerLength(bytes: Uint8Array): number | null {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return n <= bytes.length - 8 ? n : null;
}

/** A mutation of the header, applied when the file still has one. */
const onHeader = (edit: (b: Uint8Array, length: number) => Uint8Array) => (b: Uint8Array) => {
  const length = headerLength(b);
  return length === null || length === 0 ? b : edit(b, length);
};

/** Rebuilds a file with new header text and the old byte buffer. */
function withHeader(bytes: Uint8Array, text: string, length = headerLength(bytes) ?? 0): Uint8Array {
  const json = new TextEncoder().encode(text);
  const data = bytes.subarray(8 + length);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const headerText = (bytes: Uint8Array, length: number) => new TextDecoder().decode(bytes.subarray(8, 8 + length));

const ITEM_BYTES: Record<string, number> = {
  F64: 8,
  I64: 8,
  U64: 8,
  F32: 4,
  I32: 4,
  U32: 4,
  F16: 2,
  BF16: 2,
  I16: 2,
  U16: 2,
  U8: 1,
  I8: 1,
  BOOL: 1,
};

const DTYPES = ['F64', 'F32', 'I32', 'F16', 'BF16', 'U8', 'I8', 'BOOL', 'U16', 'I16', 'U32', 'I64', 'U64', 'F8_E4M3', 'F4', 'C64', 'X'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Flip bits in 1-4 bytes anywhere.
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => (b: Uint8Array) => {
    const out = b.slice();
    for (const [at, mask] of flips) out[at % out.length] ^= mask;
    return out;
  }),
  // Flip a byte of the header or its length field (where most of the rules live).
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) =>
    onHeader((b, length) => {
      const out = b.slice();
      out[at % (8 + length)] ^= mask;
      return out;
    }),
  ),
  // Set a byte to a JSON-significant character.
  fc.tuple(fc.nat(), fc.constantFrom(...'{}[]",:0123456789 -.e\\')).map(([at, c]) =>
    onHeader((b, length) => {
      const out = b.slice();
      out[8 + (at % length)] = c.charCodeAt(0);
      return out;
    }),
  ),
  // Cut the file short, or append bytes.
  fc.nat().map((cut) => (b: Uint8Array) => b.subarray(0, cut % (b.length + 1))),
  fc.uint8Array({ minLength: 1, maxLength: 9 }).map((extra) => (b: Uint8Array) => new Uint8Array([...b, ...extra])),
  // Change the length field by a little.
  fc.integer({ min: -9, max: 9 }).map((d) =>
    onHeader((b, length) => {
      const out = b.slice();
      new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, length + d)), true);
      return out;
    }),
  ),
  // Edit the header as JSON: change a number, a dtype, or splice in some JSON.
  fc.tuple(fc.nat(), fc.integer({ min: -8, max: 8 })).map(([which, delta]) =>
    onHeader((b, length) => {
      const text = headerText(b, length);
      const numbers = [...text.matchAll(/\d+/g)];
      if (numbers.length === 0) return b;
      const m = numbers[which % numbers.length];
      return withHeader(b, text.slice(0, m.index) + String(Math.max(0, Number(m[0]) + delta)) + text.slice(m.index + m[0].length), length);
    }),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...DTYPES)).map(([which, dtype]) =>
    onHeader((b, length) => {
      const text = headerText(b, length);
      const dtypes = [...text.matchAll(/"dtype":"[A-Z0-9_]+"/g)];
      if (dtypes.length === 0) return b;
      const m = dtypes[which % dtypes.length];
      return withHeader(b, text.slice(0, m.index) + `"dtype":"${dtype}"` + text.slice(m.index + m[0].length), length);
    }),
  ),
  // Give a tensor another dtype and a flat shape that fits its bytes: valid files of every dtype, random bits.
  fc.tuple(fc.nat(), fc.constantFrom(...Object.entries(ITEM_BYTES))).map(([which, [dtype, size]]) =>
    onHeader((b, length) => {
      let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
      try {
        header = JSON.parse(headerText(b, length));
      } catch {
        return b;
      }
      const names = Object.keys(header).filter((n) => n !== '__metadata__' && Array.isArray(header[n]?.data_offsets));
      if (names.length === 0) return b;
      const entry = header[names[which % names.length]];
      const span = entry.data_offsets[1] - entry.data_offsets[0];
      if (!(span % size === 0)) return b;
      Object.assign(entry, { dtype, shape: [span / size] });
      return withHeader(b, JSON.stringify(header), length);
    }),
  ),
  fc.tuple(fc.nat(), fc.json({ depthSize: 'small' })).map(([at, json]) =>
    onHeader((b, length) => {
      const text = headerText(b, length);
      const i = at % (text.length + 1);
      return withHeader(b, text.slice(0, i) + json + text.slice(i), length);
    }),
  ),
);

describe('mutated files', () => {
  it('are a SafetensorsError or read exactly as the independent reader reads them', () => {
    let refused = 0;
    let read = 0;
    fc.assert(
      fc.property(checkpoint, fc.array(mutation, { minLength: 1, maxLength: 3 }), ({ state, metadata }, mutations) => {
        const bytes = mutations.reduce((b, m) => m(b), encodeSafetensors(state, metadata));
        let reference: ReferenceFile | Invalid;
        try {
          reference = referenceDecode(bytes);
        } catch (error) {
          if (!(error instanceof Invalid)) throw error;
          reference = error;
        }
        let outcome: unknown = null;
        try {
          decodeSafetensors(bytes);
        } catch (error) {
          outcome = error;
        }
        if (outcome !== null) {
          // Refused: it must be the typed error, and never for a file the reference reads... unless the file breaks
          // a rule only the library holds to (duplicate names, integers written as 1e0 or 1.0).
          expect(outcome).toBeInstanceOf(SafetensorsError);
          refused++;
          return;
        }
        if (reference instanceof Invalid) throw new Error(`the library read a file the reference refuses (${reference.message})`);
        agrees(bytes, reference);
        read++;
      }),
      { numRuns: 3000 },
    );
    // Both outcomes are exercised: the mutations are neither all fatal nor all harmless.
    expect(refused).toBeGreaterThan(1000);
    expect(read).toBeGreaterThan(100);
  });

  it('of any JSON as the header are a SafetensorsError or read as the reference reads them', () => {
    fc.assert(
      fc.property(fc.json(), fc.uint8Array({ maxLength: 16 }), (json, data) => {
        const bytes = withHeader(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, ...data]), json);
        let reference: ReferenceFile | null = null;
        try {
          reference = referenceDecode(bytes);
        } catch (error) {
          if (!(error instanceof Invalid)) throw error;
        }
        try {
          decodeSafetensors(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SafetensorsError);
          return;
        }
        expect(reference).not.toBeNull();
        agrees(bytes, reference!);
      }),
      { numRuns: 1000 },
    );
  });
});
