// fuse()'d chains on the addon's C block runner (src/program.ts, csrc/program.c): the same bits as core's own
// fused run and as the eager ops, forward and backward, in both float dtypes, over sizes that end mid-block and
// mid-lane, with inputs broadcast by strides (a bias); programs with a kernel the addon does not compute bit for bit
// (exp, float64 tanh) are declined and run by core; and runProgram refuses malformed code with a RangeError.
import { type FuseValue, type Tensor, fuse, setKernelSet, tensor } from '@tapegrad/core';
import { disableNative, enableNative } from '@tapegrad/native';
import { addon, describeNative } from './native-addon';
import { TestRandom } from './random';

type Float = 'float32' | 'float64';

const random = new TestRandom(7);
const uniform = (size: number, scale: number) => random.list(size, scale);

/** The value and the gradients of every argument of f at fresh copies of the arguments, with a random upstream gradient. */
function valueAndGrads(f: (...xs: Tensor[]) => Tensor, shapes: number[][], dtype: Float, seed: number): number[][] {
  random.seed(seed);
  const args = shapes.map((shape) =>
    tensor(
      uniform(
        shape.reduce((a, b) => a * b, 1),
        1.5,
      ),
      { shape, dtype, requiresGrad: true },
    ),
  );
  const y = f(...args);
  const upstream = tensor(uniform(y.size, 1), { shape: [...y.shape], dtype });
  y.backward(upstream);
  return [Array.from(y.data), ...args.map((a) => Array.from(a.grad!.data))];
}

/** Runs `chain` fused with the native kernels, fused with core's, and eagerly; returns the three results. */
function threeWays(chain: (...xs: FuseValue[]) => FuseValue, shapes: number[][], dtype: Float, seed = 3): number[][][] {
  const fused = fuse(chain);
  const eager = chain as unknown as (...xs: Tensor[]) => Tensor;
  enableNative({ minElements: 0 });
  const native = valueAndGrads((...xs) => fused(...xs), shapes, dtype, seed);
  setKernelSet('native', null);
  const core = valueAndGrads((...xs) => fused(...xs), shapes, dtype, seed);
  const plain = valueAndGrads(eager, shapes, dtype, seed);
  return [native, core, plain];
}

describeNative('fused chains on the native block runner', () => {
  afterEach(() => {
    disableNative();
    jest.restoreAllMocks();
  });

  // 1024 is the C block: 2051 ends mid-block and mid-lane (2051 mod 4 = 3).
  for (const dtype of ['float32', 'float64'] as const)
    for (const size of [3, 1024, 2051])
      it(`W4's chain and its gradients, ${size} elements, ${dtype}: the bits of core's fused run and of eager`, () => {
        const run = jest.spyOn(addon, 'runProgram');
        const [native, core, plain] = threeWays((x, w, b) => x.mul(w).add(b).tanh().sum(), [[size], [], []], dtype);
        // float64 tanh is libm's in C, so that forward is declined (its backward, tanhGrad and mul, runs in C);
        // float32's is core's rational form, so both run in C.
        expect(run).toHaveBeenCalledTimes(dtype === 'float32' ? 2 : 1);
        expect(native).toEqual(core);
        expect(native).toEqual(plain);
        expect(native[1][0]).not.toBe(0); // a real gradient, not a constant
      });

  for (const dtype of ['float32', 'float64'] as const)
    it(`a chain with constants, a reused value, division, relu and maximum, written out (${dtype})`, () => {
      const run = jest.spyOn(addon, 'runProgram');
      const chain = (x: FuseValue, y: FuseValue, s: FuseValue) => {
        const u = x.sub(y).mul(s).add(1);
        return u.div(y.mul(y).add(0.75)).relu().add(u.neg()).maximum(x.mul(0.3));
      };
      const [native, core, plain] = threeWays(chain, [[1500], [1500], []], dtype, 9);
      expect(run).toHaveBeenCalledTimes(2);
      expect(native).toEqual(core);
      expect(native).toEqual(plain);
    });

  it('steps on one element (a constant times the upstream scalar) filled into a written gradient', () => {
    const run = jest.spyOn(addon, 'runProgram');
    const [native, core, plain] = threeWays((x, s) => x.mul(2.5).add(s).mul(-3).sum(), [[1027], []], 'float32', 4);
    expect(run).toHaveBeenCalledTimes(2);
    expect(native).toEqual(core);
    expect(native).toEqual(plain);
    expect(new Set(native[1]).size).toBe(1); // x's gradient is -7.5 times the upstream scalar everywhere
  });

  it('declines a forward with a libm kernel (exp), which core then runs', () => {
    const run = jest.spyOn(addon, 'runProgram');
    const [native, core, plain] = threeWays((x, w) => x.mul(w).exp().sum(), [[600], []], 'float32');
    expect(native).toEqual(core);
    expect(native).toEqual(plain);
    expect(run).toHaveBeenCalledTimes(1); // the backward only: mul by the kept exp(x w), then by x
  });

  for (const dtype of ['float32', 'float64'] as const)
    it(`gathers inputs broadcast by strides block by block: a bias row, a column, a [5, 1, 7] against [5, 3, 1] (${dtype})`, () => {
      const run = jest.spyOn(addon, 'runProgram');
      const bias = threeWays((x, b) => x.add(b).relu(), [[40, 30], [30]], dtype, 5);
      expect(bias[0]).toEqual(bias[1]);
      expect(bias[0]).toEqual(bias[2]);
      // 1100 rows of a column: a run that crosses the 1024-element blocks in the middle of a row.
      const column = threeWays(
        (x, c) => x.mul(c).tanh().sum(),
        [
          [1100, 3],
          [1100, 1],
        ],
        dtype,
        6,
      );
      expect(column[0]).toEqual(column[1]);
      expect(column[0]).toEqual(column[2]);
      const both = threeWays(
        (a, b) => a.sub(b).mul(a).sum(),
        [
          [5, 1, 7],
          [5, 3, 1],
        ],
        dtype,
        8,
      );
      expect(both[0]).toEqual(both[1]);
      expect(both[0]).toEqual(both[2]);
      // Forward and backward of each, except float64 tanh's forward (libm's in C).
      expect(run).toHaveBeenCalledTimes(dtype === 'float32' ? 6 : 5);
    });

  it("declines a program past the C runner's limits (70 inputs), which core then runs", () => {
    const run = jest.spyOn(addon, 'runProgram');
    const shapes = Array.from({ length: 70 }, () => [300]);
    const [native, core, plain] = threeWays((...xs) => xs.reduce((sum, x) => sum.add(x.mul(0.5))).sum(), shapes, 'float32', 12);
    expect(native).toEqual(core);
    expect(native).toEqual(plain);
    expect(run).not.toHaveBeenCalled();
  });

  it('leaves programs of fewer than minElements elements to core', () => {
    const run = jest.spyOn(addon, 'runProgram');
    enableNative({ minElements: 100 });
    const f = fuse((x: FuseValue) => x.mul(x).sum());
    f(tensor(uniform(99, 1), { dtype: 'float32' }));
    expect(run).not.toHaveBeenCalled();
    f(tensor(uniform(100, 1), { dtype: 'float32' }));
    expect(run).toHaveBeenCalledTimes(1);
  });

  describe('runProgram refuses malformed calls with a RangeError or TypeError naming itself', () => {
    const x = new Float32Array(8);
    const sums = new Float64Array(1);
    // One full input (slot 0), one step slot (1): out = neg(x), summed; shape [8], no strided input.
    const good = () => Int32Array.of(0, 2, 1, 1, 0, 0, 3, 0, 1, 0, 0, 0, 1, 1, 1, 1, 8, 0);
    it('accepts the well-formed program and computes it', () => {
      const input = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
      addon.runProgram(good(), new Float64Array(0), [input], [null], 8, sums);
      expect(sums[0]).toBe(-36);
    });
    it.each([
      ['a kernel index past the table', (c: Int32Array) => (c[9] = 999), /runProgram: a step names no kernel/],
      ['a slot index past the slots', (c: Int32Array) => (c[10] = 5), /runProgram: a step's slot is out of range/],
      ['a step writing an input slot', (c: Int32Array) => (c[12] = 0), /runProgram: a step writes a slot that is not a step's/],
      ['a wrong dtype code', (c: Int32Array) => (c[0] = 7), /runProgram: code\[0\]/],
      ['an input index past the inputs', (c: Int32Array) => (c[5] = 3), /runProgram: an input is missing/],
      ['a shape whose size is not the size given', (c: Int32Array) => (c[16] = 9), /runProgram: size is not the product/],
      ['a strided slot with no strided input', (c: Int32Array) => (c[4] = 5), /runProgram: a strided slot is out of range/],
    ])('%s', (_, spoil, message) => {
      const code = good();
      spoil(code);
      expect(() => addon.runProgram(code, new Float64Array(0), [x], [null], 8, sums)).toThrow(message);
    });
    it('an input shorter than the size, a strided input shorter than its strides, a written output missing, arrays of another dtype', () => {
      const nine = Int32Array.from(good());
      nine[16] = 9;
      expect(() => addon.runProgram(nine, new Float64Array(0), [x], [null], 9, sums)).toThrow(/an input is missing or shorter/);
      // slot 0 gathers input 0 with stride 2 over [8]: it would read element 14 of 8.
      const strided = Int32Array.of(0, 2, 1, 1, 5, 0, 3, 0, 1, 0, 0, 0, 1, 1, 1, 1, 8, 1, 0, 2);
      expect(() => addon.runProgram(strided, new Float64Array(0), [x], [null], 8, sums)).toThrow(/a strided input is missing or shorter/);
      strided[19] = 1;
      addon.runProgram(strided, new Float64Array(0), [Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8)], [null], 8, sums);
      expect(sums[0]).toBe(-36);
      const written = Int32Array.of(0, 2, 1, 1, 0, 0, 3, 0, 1, 0, 0, 0, 1, 1, 0, 1, 8, 0);
      expect(() => addon.runProgram(written, new Float64Array(0), [x], [null], 8, sums)).toThrow(/a written output has no array/);
      expect(() => addon.runProgram(good(), new Float64Array(0), [new Float64Array(8)], [null], 8, sums)).toThrow(/must be a Float32Array/);
    });
  });
});
