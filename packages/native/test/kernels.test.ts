// The addon's elementwise and reduction kernels against core's TypeScript kernels, on the same inputs: odd sizes
// (empty, below and across every vector width and the tanh block), NaN, +-Infinity, +-0, subnormals, and the
// broadcast shapes core's plans produce. Arithmetic kernels must give the same bits; the ones built on libm
// (glibc's exp, log, sin, cos, tanh, pow, log1p, against V8's fdlibm-derived Math functions) are held to the
// tolerance documented in docs/decisions.md. Measured on 1e6 random inputs: every float32 result had the same bits;
// in float64, exp, log, sin, cos and pow were within 1 ulp, sigmoid and softplus 2 (a libm result, then more
// arithmetic), tanh 3 (61 of 1e6 differ at all; glibc documents 2 ulps for its tanh).
import * as binaries from '../../core/src/ndarray/kernels/binary';
import { broadcastPlan } from '../../core/src/ndarray/kernels/broadcast-plan';
import { reduce, sumOfProducts } from '../../core/src/ndarray/kernels/reduce';
import * as unaries from '../../core/src/ndarray/kernels/unary';
import { NDArray } from '../../core/src/ndarray/ndarray';
import { BINARY_KERNELS, UNARY_KERNELS } from '../src/addon';
import { addon, describeNative } from './native-addon';
import { TestRandom } from './random';

type Float = 'float32' | 'float64';
type FloatArray = Float32Array | Float64Array;

const ULPS: Partial<Record<string, number>> = { exp: 1, log: 1, sin: 1, cos: 1, pow: 1, sigmoid: 2, softplus: 2 };
/** tanh is bit for bit in float32 (the rational form), libm's within 3 ulps in float64. */
const ulpsOf = (name: string, dtype: Float): number => (name === 'tanh' ? (dtype === 'float32' ? 0 : 3) : (ULPS[name] ?? 0));

const SPECIAL = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1e-45,
  -1e-40,
  5e-324,
  1e-310,
  7.905311,
  -7.905312,
  8,
  20,
  88.7,
  -104,
  710,
  1e30,
  -1e30,
  0.5,
  -2,
];
const SIZES = [0, 1, 3, 17, 255, 1000, 4099];

const random = new TestRandom(7);
function values(dtype: Float, size: number, scale = 3): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const state = random.next();
    out[i] = i % 5 === 4 ? SPECIAL[(state >> 3) % SPECIAL.length] : (state / 2147483648 - 0.5) * 2 * scale * (i % 3 === 0 ? 30 : 1);
  }
  return out;
}

/** Distance in units in the last place; 0 for equal bits or two NaNs; Infinity across signs or against NaN. */
function ulpDistance(a: number, b: number, dtype: Float): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (Object.is(a, b)) return 0;
  if (Math.sign(a) !== Math.sign(b) && a !== 0 && b !== 0) return Infinity;
  if (dtype === 'float32') {
    const bits = new Int32Array(new Float32Array([Math.abs(a), Math.abs(b)]).buffer);
    return Math.abs(bits[0] - bits[1]);
  }
  const bits = new BigInt64Array(new Float64Array([Math.abs(a), Math.abs(b)]).buffer);
  return Number(bits[0] > bits[1] ? bits[0] - bits[1] : bits[1] - bits[0]);
}

function expectClose(actual: FloatArray, expected: ArrayLike<number>, dtype: Float, ulps: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const d = ulpDistance(actual[i], expected[i], dtype);
    if (d > ulps) throw new Error(`${what}: element ${i}: ${actual[i]} vs ${expected[i]} (${d} ulps, allowed ${ulps})`);
  }
}

const alloc = (dtype: Float, size: number): FloatArray => (dtype === 'float32' ? new Float32Array(size) : new Float64Array(size));

describeNative('unary kernels', () => {
  for (const name of UNARY_KERNELS)
    for (const dtype of ['float32', 'float64'] as const)
      it(`${name} (${dtype}) matches core's kernel${ulpsOf(name, dtype) === 0 ? ' bit for bit' : ` within ${ulpsOf(name, dtype)} ulp`}`, () => {
        const kernel = unaries[name];
        for (const size of SIZES) {
          const x = values(dtype, size);
          const expected = alloc(dtype, size);
          kernel.loop(x, expected);
          const actual = alloc(dtype, size).fill(12345);
          addon.unary[name](x, actual);
          expectClose(actual, expected, dtype, ulpsOf(name, dtype), `${name} on ${size}`);
        }
      });

  it('writes in place when out is x', () => {
    const x = new Float32Array([-1, 2, -3]);
    addon.unary.relu(x, x);
    expect(Array.from(x)).toEqual([0, 2, 0]);
  });

  it('rejects an out of another length or dtype', () => {
    expect(() => addon.unary.exp(new Float32Array(3), new Float32Array(2))).toThrow(/exp: out must have as many elements as x/);
    expect(() => addon.unary.exp(new Float32Array(3), new Float64Array(3))).toThrow(/exp: x and out must be of one dtype/);
  });
});

// Shapes whose plans cover one run, a broadcast scalar on either side, a bias row, a column, and an outer product.
const SHAPES: [number[], number[]][] = [
  [[1000], [1000]],
  [[7, 33], [1]],
  [[1], [4099]],
  [[128, 10], [10]],
  [
    [5, 1, 7],
    [5, 3, 1],
  ],
  [
    [9, 1],
    [1, 17],
  ],
  [[0, 3], [3]],
];

describeNative('binary kernels over broadcast plans', () => {
  for (const name of BINARY_KERNELS)
    for (const dtype of ['float32', 'float64'] as const)
      it(`${name} (${dtype}) matches core's kernel${ulpsOf(name, dtype) === 0 ? ' bit for bit' : ` within ${ulpsOf(name, dtype)} ulp`}`, () => {
        const kernel = binaries[name];
        for (const [aShape, bShape] of SHAPES) {
          const plan = broadcastPlan(aShape, bShape, name);
          const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
          const a = values(dtype, size(aShape));
          const b = values(dtype, size(bShape), name === 'pow' ? 1.5 : 3);
          const expected = alloc(dtype, plan.size);
          kernel.loop(a, b, expected, plan);
          const actual = alloc(dtype, plan.size);
          addon.binary[name](a, b, actual, plan.rows, plan.len, plan.sa, plan.sb, plan.aOff, plan.bOff);
          expectClose(actual, expected, dtype, ulpsOf(name, dtype), `${name} on [${aShape.join(',')}] and [${bShape.join(',')}]`);
        }
      });

  it('rejects a plan that reads past an operand', () => {
    const a = new Float32Array(4);
    const out = new Float32Array(8);
    expect(() => addon.binary.add(a, a, out, 2, 4, 1, 1, new Int32Array([0, 4]), new Int32Array([0, 0]))).toThrow(
      /add: a row reads past the end/,
    );
  });

  it('names the argument that is not the typed array it must be', () => {
    const a = new Float32Array(4);
    const offsets = new Int32Array([0]);
    expect(() => addon.binary.add(a, a, a, 1, 4, 1, 1, new Float64Array([0]) as never, offsets)).toThrow(
      /add: argument 7 must be an Int32Array/,
    );
    expect(() => addon.binary.add(a, new Int32Array(4) as never, a, 1, 4, 1, 1, offsets, offsets)).toThrow(
      /add: argument 1 must be a Float32Array or a Float64Array/,
    );
  });
});

describeNative('reductions', () => {
  const array = (data: FloatArray, shape: number[]) => new NDArray(data, shape);

  for (const dtype of ['float32', 'float64'] as const) {
    it(`sumAll (${dtype}) gives core's full sum bit for bit (four running sums in double)`, () => {
      for (const size of SIZES) {
        const x = values(dtype, size).map((v) => (Number.isFinite(v) ? v : 1.5));
        const expected = reduce(array(x, [size]), [0], false, 'sum').data[0];
        const actual = dtype === 'float32' ? Math.fround(addon.sumAll(x)) : addon.sumAll(x);
        expect(actual).toBe(expected);
      }
      const withNaN = alloc(dtype, 9).fill(1);
      withNaN[4] = NaN;
      expect(addon.sumAll(withNaN)).toBeNaN();
    });

    it(`sumOfProducts (${dtype}) is core's, bit for bit`, () => {
      for (const size of SIZES) {
        const a = values(dtype, size).map((v) => (Number.isFinite(v) ? v : -0.25));
        const b = values(dtype, size).map((v) => (Number.isFinite(v) ? v : 3));
        expect(addon.sumOfProducts(a, b)).toBe(sumOfProducts(a, b, dtype));
      }
    });

    it(`max and min of everything (${dtype}) are core's: NaN wins, -0 and 0 keep the first`, () => {
      for (const size of SIZES) {
        const x = values(dtype, size).map((v) => (Number.isNaN(v) ? -0 : v));
        for (const kind of ['max', 'min'] as const) {
          const expected = reduce(array(x, [size]), [0], false, kind).data[0];
          expect(
            Object.is(
              dtype === 'float32' ? Math.fround(addon.extremeAll(x, kind === 'min')) : addon.extremeAll(x, kind === 'min'),
              expected,
            ),
          ).toBe(true);
        }
      }
      const x = alloc(dtype, 5).fill(2);
      x[3] = NaN;
      expect(addon.extremeAll(x, false)).toBeNaN();
    });

    it(`sums, maxima and minima along an axis (${dtype}) are core's, bit for bit`, () => {
      const shapes: [number[], number][] = [
        [[4, 1000], 0],
        [[4, 1000], 1],
        [[3, 17, 5], 1],
        [[2, 3, 4], 2],
        [[128, 10], 1],
      ];
      for (const [shape, axis] of shapes) {
        const x = values(
          dtype,
          shape.reduce((p, d) => p * d, 1),
        );
        const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
        const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
        const n = shape[axis];
        for (const kind of ['sum', 'max', 'min'] as const) {
          const expected = reduce(array(x, shape), [axis], false, kind).data;
          const actual = alloc(dtype, outer * inner).fill(99);
          if (kind === 'sum') addon.sumAxis(x, actual, outer, n, inner);
          else addon.extremeAxis(x, actual, outer, n, inner, kind === 'min');
          expectClose(actual, expected, dtype, 0, `${kind} over axis ${axis} of [${shape.join(',')}]`);
        }
      }
    });
  }
});
