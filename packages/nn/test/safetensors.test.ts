// Files are assembled by hand from the Hugging Face spec: 8-byte little-endian header length N, N bytes of JSON,
// then the raw little-endian byte buffer that data_offsets index.
import { Tensor, tensor } from '@tapegrad/core';
import { MAX_ENTRIES, MLP, SafetensorsError, decodeSafetensors, encodeSafetensors, safetensorsMetadata } from '@tapegrad/nn';

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
    expect(() => encodeSafetensors({}, { n: 3 as unknown as string })).toThrow(/metadata "n" must be a string/);
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
    [
      'invalid JSON',
      () => file('{"a": {"dtype": "F32", "shape": [2], ', F32_1_5_NEG2),
      /a quoted name must come next in tensor "a", but the header ends/,
    ],
    [
      'a trailing comma',
      () => file('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8],}}', F32_1_5_NEG2),
      /a quoted name must come next/,
    ],
    [
      'a header that is not an object',
      () => file('[1, 2, 3]', []),
      /the header must be a JSON object, starting with '\{': found "\[1, 2, 3\]"/,
    ],
    ['text after the header object', () => file('{} {}', []), /only spaces may follow the header object: found "\{\}" at character 3/],
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
      /tensor "a": unknown dtype "F99" \(the format defines BOOL, U8/,
    ],
    [
      'a valid but unsupported dtype',
      () => file({ a: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }, F32_1_5_NEG2),
      /dtype F8_E4M3 is valid safetensors but not supported here/,
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
      /tensor "a": shape must hold non-negative integers, found a negative number/,
    ],
    [
      'offsets past the buffer (truncated data)',
      () => file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, F32_1_5_NEG2),
      /run past the end of the 8-byte buffer/,
    ],
    [
      'a tensor claiming 4 GiB of an 8-byte buffer',
      () => file({ a: { dtype: 'F32', shape: [2 ** 30], data_offsets: [0, 2 ** 32] } }, F32_1_5_NEG2),
      /data_offsets \[0, 4294967296\] run past the end of the 8-byte buffer/,
    ],
    [
      'offsets past 2^40',
      () => file({ a: { dtype: 'U8', shape: [1], data_offsets: [2 ** 40, 2 ** 40 + 1] } }, F32_1_5_NEG2),
      /data_offsets \[1099511627776, 1099511627777\] run past the end/,
    ],
    [
      'offsets that end before they begin',
      () => file({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, F32_1_5_NEG2),
      /end before they begin/,
    ],
    [
      'malformed offsets',
      () => file({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, F32_1_5_NEG2),
      /tensor "a": data_offsets must be \[begin, end\], got 1 number/,
    ],
    [
      'overlapping tensors',
      () =>
        file(
          { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
          F32_1_5_NEG2,
        ),
      /tensors "a" \[0, 8\] and "b" \[4, 8\] overlap/,
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
    ['a non-object entry', () => file({ a: 5 }, []), /tensor "a" must be an object with dtype, shape and data_offsets: found "5\}"/],
    [
      'non-string metadata',
      () => file({ __metadata__: { n: 1 }, ...ok }, F32_1_5_NEG2),
      /__metadata__ entry "n" must be a string: found "1/,
    ],
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

describe('the header is read by its schema, not by JSON.parse', () => {
  const fail = (bytes: Uint8Array, message: RegExp) => {
    let error: unknown;
    try {
      decodeSafetensors(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SafetensorsError);
    expect((error as Error).message).toMatch(message);
    return (error as Error).message;
  };

  it('refuses JSON nested 8,000 deep (a 16 KB file) with a SafetensorsError, not a RangeError', () => {
    const deep = `{"a":{"dtype":"F32","shape":${'['.repeat(8000)}${']'.repeat(8000)},"data_offsets":[0,0]}}`;
    fail(file(deep), /tensor "a": shape must hold non-negative integers: found "\[\[\[/);
    fail(file(`{"a":${'{"a":'.repeat(8000)}1${'}'.repeat(8001)}`), /tensor "a": the key "a" is not dtype, shape or data_offsets/);
    fail(file(`{"__metadata__":{"k":${'['.repeat(8000)}`), /__metadata__ entry "k" must be a string: found "\[\[\[/);
  });

  it('keeps error messages short whatever the file holds', () => {
    const name = 'n'.repeat(100_000);
    const message = fail(file({ [name]: { dtype: 'X'.repeat(100_000), shape: [], data_offsets: [0, 0] } }), /unknown dtype "XXXX.*…"/);
    expect(message.length).toBeLessThan(500);
  });

  it('gives tensors named __proto__, constructor or hasOwnProperty no special meaning', () => {
    const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'];
    const header: Record<string, unknown> = Object.create(null);
    names.forEach((n, i) => (header[n] = { dtype: 'I32', shape: [], data_offsets: [4 * i, 4 * i + 4] }));
    header.__metadata__ = JSON.parse('{"__proto__": "p", "constructor": "c"}');
    const bytes = file(header, [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
    const t = decodeSafetensors(bytes);
    expect(Object.getPrototypeOf(t)).toBeNull();
    expect(Object.keys(t).sort()).toEqual([...names].sort());
    names.forEach((n, i) => {
      expect(Object.getOwnPropertyDescriptor(t, n)?.value).toBeInstanceOf(Tensor);
      expect(t[n].item()).toBe(i + 1);
    });
    const meta = safetensorsMetadata(bytes);
    expect(Object.getPrototypeOf(meta)).toBeNull();
    expect({ ...meta }).toEqual(JSON.parse('{"__proto__": "p", "constructor": "c"}'));
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('writes and reads back a tensor named __proto__', () => {
    const state: Record<string, Tensor> = Object.create(null);
    state.__proto__ = tensor([1, 2]);
    state.w = tensor([3]);
    const back = decodeSafetensors(encodeSafetensors(state));
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'w']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value.toArray()).toEqual([1, 2]);
  });

  it('caps the rank at 64 dimensions', () => {
    expect(
      decodeSafetensors(file({ a: { dtype: 'I32', shape: Array(64).fill(1), data_offsets: [0, 4] } }, [7, 0, 0, 0])).a.shape,
    ).toHaveLength(64);
    fail(
      file({ a: { dtype: 'I32', shape: Array(65).fill(1), data_offsets: [0, 4] } }, [7, 0, 0, 0]),
      /tensor "a": shape has more than 64 dimensions/,
    );
    fail(
      file(`{"a":{"dtype":"F32","shape":[${Array(20_000).fill(1).join(',')}],"data_offsets":[0,4]}}`, [0, 0, 0, 0]),
      /more than 64 dimensions/,
    );
  });

  it.each<[string, string, RegExp]>([
    [
      'a duplicate tensor name',
      '{"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}',
      /the name "a" appears twice/,
    ],
    ['a duplicate metadata key', '{"__metadata__":{"k":"1","k":"2"}}', /__metadata__ has the key "k" twice/],
    ['two __metadata__', '{"__metadata__":{},"__metadata__":{}}', /the name "__metadata__" appears twice/],
    ['a duplicate key in an entry', '{"a":{"dtype":"I32","dtype":"I32","shape":[],"data_offsets":[0,4]}}', /tensor "a" has dtype twice/],
    [
      'an unknown key in an entry',
      '{"a":{"dtype":"I32","shape":[],"data_offsets":[0,4],"x":1}}',
      /tensor "a": the key "x" is not dtype, shape or data_offsets/,
    ],
    ['a missing key', '{"a":{"dtype":"I32","shape":[]}}', /tensor "a" has no data_offsets/],
    ['an exponent', '{"a":{"dtype":"I32","shape":[],"data_offsets":[0,4e0]}}', /must hold integers, found a fraction or exponent/],
    ['a fraction', '{"a":{"dtype":"I32","shape":[1.0],"data_offsets":[0,4]}}', /must hold integers, found a fraction or exponent/],
    ['a leading zero', '{"a":{"dtype":"I32","shape":[],"data_offsets":[00,4]}}', /has a leading zero/],
    ['a number past 2^53', '{"a":{"dtype":"I32","shape":[],"data_offsets":[0,99999999999999999999]}}', /larger than 9007199254740991/],
    ['three offsets', '{"a":{"dtype":"I32","shape":[],"data_offsets":[0,4,8]}}', /must be \[begin, end\], got more than 2 numbers/],
    ['a raw control character in a name', '{"a\tb":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}', /holds a raw control character/],
    ['an invalid escape', '{"a\\xb":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}', /has an invalid escape/],
    ['an unclosed string', '{"abc', /a string starting at character 1 is never closed/],
    ['a string as metadata', '{"__metadata__":"x"}', /__metadata__ must be an object of strings/],
  ])('refuses %s', (_, header, message) => {
    fail(file(header, [7, 0, 0, 0]), message);
  });

  it('reads escapes, non-ASCII names, null metadata and the whitespace JSON allows', () => {
    const bytes = file('{ "a\\u00e9\\n" :\r\n{"shape":[ ],"data_offsets":[0,4],"dtype":"I32"},"__metadata__":null} \n', [7, 0, 0, 0]);
    expect(Object.keys(decodeSafetensors(bytes))).toEqual(['aé\n']);
    expect(safetensorsMetadata(bytes)).toEqual({});
  });

  it('refuses a header with a byte-order mark or leading space (it must start with "{")', () => {
    fail(file(' {}'), /must be a JSON object, starting with '\{'/);
    const bom = file('\ufeff{}');
    fail(bom, /must be a JSON object/);
  });
});

describe('limits on what one header may ask for', () => {
  const emptyTensors = (n: number) =>
    `{${Array.from({ length: n }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`;

  it(`reads ${MAX_ENTRIES} tensors and refuses one more, as it reads the header`, () => {
    expect(Object.keys(decodeSafetensors(file(emptyTensors(MAX_ENTRIES)))).length).toBe(MAX_ENTRIES);
    expect(() => decodeSafetensors(file(emptyTensors(MAX_ENTRIES + 1)))).toThrow(
      `safetensors: the header names more than ${MAX_ENTRIES} tensors, the most this reader accepts in one file`,
    );
  });

  it(`refuses more than ${MAX_ENTRIES} metadata entries`, () => {
    const meta = (n: number) => `{"__metadata__":{${Array.from({ length: n }, (_, i) => `"k${i}":""`).join(',')}}}`;
    expect(Object.keys(safetensorsMetadata(file(meta(MAX_ENTRIES)))).length).toBe(MAX_ENTRIES);
    expect(() => safetensorsMetadata(file(meta(MAX_ENTRIES + 1)))).toThrow(/__metadata__ has more than 100000 entries/);
  });

  it('will not write a file it would refuse to read', () => {
    const many: Record<string, Tensor> = {};
    const t = tensor([1]);
    for (let i = 0; i <= MAX_ENTRIES; i++) many[`t${i}`] = t;
    expect(() => encodeSafetensors(many)).toThrow(/100001 tensors, more than the 100000 a file may hold/);
    expect(() => encodeSafetensors({ t: tensor(new Float64Array(1), { shape: Array(65).fill(1) }) })).toThrow(
      /65 dimensions, more than 64/,
    );
  });
});
