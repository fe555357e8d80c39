// The WebAssembly x += alpha * y against the elementwise definition evaluated in JavaScript (float64, rounded to
// x's type on the store): bit for bit, at every length parity, with NaN, infinities, signed zeros and subnormals.
import * as fc from 'fast-check';
import { wasmAxpy } from './wasm-axpy';
import { wasmUpdateKernels } from './wasm-module';

const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-310, -5e-324, 3.4e38, -1.5];

function reference(x: Float32Array | Float64Array, y: ArrayLike<number>, alpha: number): Float32Array | Float64Array {
  const out = x.slice();
  for (let i = 0; i < out.length; i++) out[i] = x[i] + alpha * y[i];
  return out;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

(wasmUpdateKernels() === null ? describe.skip : describe)('wasmAxpy', () => {
  it.each([Float32Array, Float64Array])('gives the bits of the elementwise definition (%p)', (Kind) => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.constantFrom(...specials)), { maxLength: 40 }),
        fc.array(fc.oneof(fc.double(), fc.constantFrom(...specials)), { maxLength: 40 }),
        fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(-0.001, 1, 0, -0)),
        (xs, ys, alpha) => {
          const n = Math.min(xs.length, ys.length);
          const x = Kind.from(xs.slice(0, n));
          const y = Kind.from(ys.slice(0, n));
          const expected = reference(x, y, alpha);
          return wasmAxpy(x, y, alpha) && sameBits(x, expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([Float32Array, Float64Array])(
    'gives the same bits in blocks: several of 64 KiB, a partial last one, an odd tail (%p)',
    (Kind) => {
      for (const n of [(3 * 65536) / Kind.BYTES_PER_ELEMENT, (2 * 65536) / Kind.BYTES_PER_ELEMENT + 7]) {
        const x = new Kind(n).map((_, i) => (i % 1001 === 5 ? specials[i % specials.length] : Math.sin(i) * 10 ** ((i % 13) - 6)));
        const y = new Kind(n).map((_, i) => Math.cos(i * 0.7));
        const expected = reference(x, y, -0.037);
        expect(wasmAxpy(x, y, -0.037)).toBe(true);
        expect(sameBits(x, expected)).toBe(true);
      }
    },
  );

  it('works on a parameter-sized array, and declines mixed and int32 arrays without touching them', () => {
    const x = new Float32Array(784 * 256 + 1).map((_, i) => Math.sin(i));
    const y = new Float32Array(x.length).map((_, i) => Math.cos(i));
    const expected = reference(x, y, -0.05);
    expect(wasmAxpy(x, y, -0.05)).toBe(true);
    expect(sameBits(x, expected)).toBe(true);
    const before = x.slice();
    expect(wasmAxpy(x, new Float64Array(x.length), 1)).toBe(false);
    expect(wasmAxpy(new Int32Array(4), new Int32Array(4), 1)).toBe(false);
    expect(sameBits(x, before)).toBe(true);
  });
});
