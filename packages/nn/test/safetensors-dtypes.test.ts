// The dtypes read by widening, with expected values worked out from the formats' definitions (IEEE 754 binary16:
// sign, 5-bit exponent biased by 15, 10-bit fraction; bfloat16: the top 16 bits of a float32; two's-complement
// little-endian integers), never from the reader's own output.
import { SafetensorsError, decodeSafetensors } from '@tapegrad/nn';

function file(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A file holding one tensor `t` of `dtype` and `shape` with the given little-endian bytes. */
const one = (dtype: string, shape: number[], data: number[]) => file({ t: { dtype, shape, data_offsets: [0, data.length] } }, data);

/** 16-bit little-endian words as bytes. */
const words = (...w: number[]) => w.flatMap((x) => [x & 0xff, x >> 8]);

describe('widened dtypes', () => {
  it('reads F16 as float32: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, 1365/4096, +-Infinity, NaN', () => {
    const t = decodeSafetensors(one('F16', [9], words(0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555, 0x7c00, 0xfc00, 0x7e00))).t;
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([1, -2, 65504, 2 ** -24, -0, 1365 / 4096, Infinity, -Infinity, NaN]);
    expect(Object.is(t.data[4], -0)).toBe(true);
  });

  it('reads BF16 as float32: 1.5, -3.140625, Infinity, 2^-133 (smallest subnormal)', () => {
    const t = decodeSafetensors(one('BF16', [2, 2], words(0x3fc0, 0xc049, 0x7f80, 0x0001))).t;
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([1.5, -3.140625, Infinity, 2 ** -133]);
  });

  it.each<[string, number[], number[]]>([
    ['U8', [0, 255, 7], [0, 255, 7]],
    ['I8', [0x80, 0x7f, 0xff], [-128, 127, -1]],
    ['BOOL', [0, 1, 1], [0, 1, 1]],
  ])('reads %s as int32', (dtype, bytes, values) => {
    const t = decodeSafetensors(one(dtype, [3], bytes)).t;
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.data)).toEqual(values);
  });

  it('reads I16 and U16 as int32', () => {
    expect(Array.from(decodeSafetensors(one('I16', [3], words(0x8000, 0x7fff, 0xffff))).t.data)).toEqual([-32768, 32767, -1]);
    expect(Array.from(decodeSafetensors(one('U16', [2], words(0xffff, 1))).t.data)).toEqual([65535, 1]);
  });

  it('reads I64, U64 and U32 as int32 when every value fits: -1, -2^31, 2^31 - 1, 12345', () => {
    const i64 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0];
    const t = decodeSafetensors(one('I64', [3], i64)).t;
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.data)).toEqual([-1, -(2 ** 31), 2 ** 31 - 1]);
    expect(Array.from(decodeSafetensors(one('U64', [1], [0x39, 0x30, 0, 0, 0, 0, 0, 0])).t.data)).toEqual([12345]);
    expect(Array.from(decodeSafetensors(one('U32', [1], [0xff, 0xff, 0xff, 0x7f])).t.data)).toEqual([2 ** 31 - 1]);
  });

  it.each<[string, number[], RegExp]>([
    ['I64', [0, 0, 0, 0x80, 0, 0, 0, 0], /I64 value 2147483648 at index 0 does not fit the int32 it is read as/],
    ['I64', [0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff], /I64 value -2147483649 at index 0 does not fit/],
    ['U64', [0, 0, 0, 0, 1, 0, 0, 0], /U64 value 4294967296 at index 0 does not fit/],
    ['U32', [0xff, 0xff, 0xff, 0xff], /U32 value 4294967295 at index 0 does not fit/],
    ['BOOL', [2], /BOOL value 2 at index 0 is neither 0 nor 1/],
  ])('refuses a %s value the int32 result cannot hold', (dtype, bytes, message) => {
    const itemBytes = dtype === 'BOOL' ? 1 : dtype === 'U32' ? 4 : 8;
    const data = [...new Array(itemBytes).fill(0), ...bytes];
    const attempt = () => decodeSafetensors(one(dtype, [2], data));
    expect(attempt).toThrow(SafetensorsError);
    expect(attempt).toThrow(message.source.replace('index 0', 'index 1'));
  });

  it('loads a PyTorch BatchNorm state with its 0-d I64 num_batches_tracked', () => {
    const f32 = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]; // 1, 2
    const bytes = file(
      {
        __metadata__: { format: 'pt' },
        'bn.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        'bn.num_batches_tracked': { dtype: 'I64', shape: [], data_offsets: [8, 16] },
      },
      [...f32, 42, 0, 0, 0, 0, 0, 0, 0],
    );
    const state = decodeSafetensors(bytes);
    expect(state['bn.weight'].toArray()).toEqual([1, 2]);
    expect(state['bn.num_batches_tracked'].dtype).toBe('int32');
    expect(state['bn.num_batches_tracked'].shape).toEqual([]);
    expect(state['bn.num_batches_tracked'].item()).toBe(42);
  });
});
