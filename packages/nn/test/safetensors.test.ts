// Files are assembled by hand from the Hugging Face spec: 8-byte little-endian header length N, N bytes of JSON,
// then the raw little-endian byte buffer that data_offsets index.
import { type Tensor, tensor } from '@tapegrad/core';
import { MLP, SafetensorsError, decodeSafetensors, encodeSafetensors, safetensorsMetadata } from '@tapegrad/nn';

function file(header: string | object, data: number[] = [], declaredLength?: number | bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

// 1.5f = 0x3FC00000, -2f = 0xC0000000, little-endian; int32 7 and -1.
const F32_1_5_NEG2 = [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0];
const I32_7_NEG1 = [7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];

describe('decodeSafetensors on well-formed files', () => {
  it('reads F32 and I32 tensors and the metadata', () => {
    const bytes = file(
      {
        __metadata__: { format: 'pt' },
        w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        n: { dtype: 'I32', shape: [1, 2], data_offsets: [8, 16] },
      },
      [...F32_1_5_NEG2, ...I32_7_NEG1],
    );
    const t = decodeSafetensors(bytes);
    expect(t.w.dtype).toBe('float32');
    expect(t.w.toArray()).toEqual([1.5, -2]);
    expect(t.n.dtype).toBe('int32');
    expect(t.n.toArray()).toEqual([[7, -1]]);
    expect(safetensorsMetadata(bytes)).toEqual({ format: 'pt' });
  });

  it('reads F64 (1.0 = 0x3FF0000000000000), a 0-d tensor, an empty tensor, and offsets in any order', () => {
    const bytes = file(
      {
        empty: { dtype: 'F32', shape: [0, 3], data_offsets: [8, 8] },
        one: { dtype: 'F64', shape: [], data_offsets: [0, 8] },
      },
      [0, 0, 0, 0, 0, 0, 0xf0, 0x3f],
    );
    const t = decodeSafetensors(bytes);
    expect(t.one.shape).toEqual([]);
    expect(t.one.item()).toBe(1);
    expect(t.empty.shape).toEqual([0, 3]);
  });

  it('accepts trailing spaces in the header (the reference writer pads to 8 bytes)', () => {
    const bytes = file('{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}     ', I32_7_NEG1);
    expect(decodeSafetensors(bytes).a.toArray()).toEqual([7, -1]);
  });
});

describe('encodeSafetensors', () => {
  it('writes exactly the spec layout', () => {
    const bytes = encodeSafetensors({ w: tensor(new Float32Array([1.5, -2])) }, { note: 'x' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ __metadata__: { note: 'x' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    expect(Array.from(bytes.subarray(8 + n))).toEqual(F32_1_5_NEG2);
  });

  it('round-trips a model state dict bit for bit, every dtype kept', () => {
    const model = new MLP([5, 4, 3], { dtype: 'float32' });
    const state: Record<string, Tensor> = {
      ...model.stateDict(),
      counts: tensor([1, -2, 3], { dtype: 'int32' }),
      f64: tensor([[Math.PI, -1e-300]]),
    };
    const back = decodeSafetensors(encodeSafetensors(state));
    expect(Object.keys(back)).toEqual(Object.keys(state));
    for (const k of Object.keys(state)) {
      expect(back[k].dtype).toBe(state[k].dtype);
      expect(back[k].shape).toEqual(state[k].shape);
      expect(Array.from(back[k].data)).toEqual(Array.from(state[k].data));
    }
    const copy = new MLP([5, 4, 3], { dtype: 'float32' });
    copy.loadStateDict(decodeSafetensors(encodeSafetensors(model.stateDict())));
    const x = tensor(new Float32Array([1, 2, 3, 4, 5]), { shape: [1, 5] });
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(model.forward(x).data));
  });

  it('refuses the reserved name and non-string metadata', () => {
    expect(() => encodeSafetensors({ __metadata__: tensor([1]) })).toThrow(SafetensorsError);
    expect(() => encodeSafetensors({}, { n: 3 as unknown as string })).toThrow(/metadata 'n' must be a string/);
  });
});

describe('decodeSafetensors on hostile files', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: Array<[string, () => Uint8Array, RegExp]> = [
    ['an empty file', () => new Uint8Array(0), /truncated file: 0 bytes/],
    ['a file shorter than the length field', () => new Uint8Array([1, 0, 0]), /truncated file: 3 bytes/],
    ['a header length past the end', () => file(ok, F32_1_5_NEG2, 1000), /header length 1000 runs past the end/],
    ['a huge header length (2^40)', () => file(ok, F32_1_5_NEG2, 2n ** 40n), /exceeds the 100000000-byte limit/],
    ['a header length of 2^64 - 1', () => file(ok, F32_1_5_NEG2, 2n ** 64n - 1n), /exceeds the/],
    ['invalid JSON', () => file('{"a": [1, 2', F32_1_5_NEG2), /not valid JSON/],
    ['a header that is not an object', () => file('[1, 2, 3]', []), /must be a JSON object/],
    [
      'invalid UTF-8',
      () => {
        const f = file('{"a":1}', []);
        f[10] = 0xff;
        return f;
      },
      /not valid UTF-8/,
    ],
    [
      'an unknown dtype',
      () => file({ a: { dtype: 'F99', shape: [2], data_offsets: [0, 8] } }, F32_1_5_NEG2),
      /tensor 'a': unknown dtype "F99"/,
    ],
    [
      'a valid but unsupported dtype',
      () => file({ a: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, F32_1_5_NEG2),
      /dtype BF16 is valid safetensors but not supported/,
    ],
    [
      'a shape that does not match its bytes',
      () => file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, [...F32_1_5_NEG2, ...F32_1_5_NEG2]),
      /shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/,
    ],
    [
      'a gigantic shape',
      () => file({ a: { dtype: 'F64', shape: [1e9, 1e9, 1e9], data_offsets: [0, 8] } }, F32_1_5_NEG2),
      /needs more bytes than the whole 8-byte buffer/,
    ],
    [
      'a negative dimension',
      () => file({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, F32_1_5_NEG2),
      /shape must be an array of non-negative integers/,
    ],
    [
      'offsets past the buffer (truncated data)',
      () => file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, F32_1_5_NEG2),
      /run past the end of the 8-byte buffer/,
    ],
    [
      'offsets that end before they begin',
      () => file({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, F32_1_5_NEG2),
      /end before they begin/,
    ],
    [
      'malformed offsets',
      () => file({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, F32_1_5_NEG2),
      /data_offsets must be \[begin, end\]/,
    ],
    [
      'overlapping tensors',
      () =>
        file(
          { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
          F32_1_5_NEG2,
        ),
      /tensors 'a' \[0, 8\] and 'b' \[4, 8\] overlap/,
    ],
    [
      'a hole in the buffer',
      () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, F32_1_5_NEG2),
      /bytes \[0, 4\) of the buffer belong to no tensor/,
    ],
    [
      'trailing bytes',
      () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, F32_1_5_NEG2),
      /4 trailing bytes belong to no tensor/,
    ],
    ['a non-object entry', () => file({ a: 5 }, []), /tensor 'a': entry must be an object/],
    ['non-string metadata', () => file({ __metadata__: { n: 1 }, ...ok }, F32_1_5_NEG2), /__metadata__ entry 'n' must be a string/],
  ];
  it.each(cases)('rejects %s with a SafetensorsError', (_, make, message) => {
    const bytes = make();
    expect(() => decodeSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });

  it('reads from a Uint8Array that is a view into a larger buffer', () => {
    const inner = file(ok, F32_1_5_NEG2);
    const big = new Uint8Array(inner.length + 3);
    big.set(inner, 3);
    expect(decodeSafetensors(big.subarray(3)).a.toArray()).toEqual([1.5, -2]);
  });
});
