// OpenBLAS's products against an independent float64 triple loop and against core's TypeScript kernel. sgemm and
// dgemm accumulate in their own precision, in their own order and with fused multiply-adds, so neither is bit for
// bit the TypeScript kernel (which accumulates float32 products in float64): each element must lie within the
// standard forward-error bound of a k-term dot product, |c - exact| <= k u sum_p |a_ip b_pj| (u = 2^-24 or 2^-53).
import { setKernelBackend, tensor, tidy, type Tensor } from '@tapegrad/core';
import { pool } from '../../core/src/ndarray/dtype';
import { disableNative, enableNative } from '@tapegrad/native';
import { gemmPacked } from '../../core/src/ndarray/kernels/matmul';
import { addon, describeNative } from './native-addon';
import { TestRandom } from './random';

type Float = 'float32' | 'float64';
const UNIT: Record<Float, number> = { float32: 2 ** -24, float64: 2 ** -53 };

const random = new TestRandom(2024);
function randomArray(dtype: Float, size: number): Float32Array | Float64Array {
  return (dtype === 'float32' ? Float32Array : Float64Array).from(random.list(size, 2));
}

/** exact[i, j] = sum_p op(A)[i, p] op(B)[p, j] in float64, and the same sum of absolute values (for the bound). */
function reference(A: ArrayLike<number>, B: ArrayLike<number>, m: number, n: number, k: number, tA: boolean, tB: boolean) {
  const exact = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const a = tA ? A[p * m + i] : A[i * k + p];
        const b = tB ? B[j * k + p] : B[p * n + j];
        s += a * b;
        s1 += Math.abs(a * b);
      }
      exact[i * n + j] = s;
      magnitude[i * n + j] = s1;
    }
  return { exact, magnitude };
}

function expectWithinBound(actual: ArrayLike<number>, expected: ArrayLike<number>, magnitude: Float64Array, k: number, dtype: Float): void {
  const u = UNIT[dtype];
  for (let i = 0; i < magnitude.length; i++) {
    const bound = (k + 1) * u * magnitude[i] + u * Math.abs(expected[i]);
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= bound)) throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]}, error ${error} over the bound ${bound}`);
  }
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [3, 5, 7],
  [17, 31, 13],
  [65, 33, 129],
  [128, 10, 256],
  [100, 300, 257],
];
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describeNative('gemm (OpenBLAS)', () => {
  for (const dtype of ['float32', 'float64'] as const)
    for (const [m, n, k] of SIZES)
      for (const [tA, tB] of FLAGS) {
        it(`${dtype} [${m} x ${k}] . [${k} x ${n}]${tA ? ' A^T' : ''}${tB ? ' B^T' : ''} is within the dot-product error bound of the exact product and of the TypeScript kernel`, () => {
          const A = randomArray(dtype, m * k + 3);
          const B = randomArray(dtype, k * n + 5);
          const C = dtype === 'float32' ? new Float32Array(m * n + 2) : new Float64Array(m * n + 2);
          C.fill(NaN); // gemm overwrites C: whatever was there (even NaN) never leaks in
          addon.gemm(A, 3, B, 5, C, 1, m, n, k, tA, tB);
          const { exact, magnitude } = reference(A.subarray(3), B.subarray(5), m, n, k, tA, tB);
          expectWithinBound(C.subarray(1, 1 + m * n), exact, magnitude, k, dtype);
          expect(C[0]).toBeNaN();
          expect(C[m * n + 1]).toBeNaN();
          const typescript = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
          gemmPacked(A, 3, B, 5, typescript, 0, m, n, k, tA, tB);
          const twice = new Float64Array(magnitude).map((v) => 2 * v);
          expectWithinBound(C.subarray(1, 1 + m * n), typescript, twice, k, dtype);
        });
      }

  it('an empty inner size gives zeros, and an empty output touches nothing', () => {
    const C = new Float32Array(6).fill(7);
    addon.gemm(new Float32Array(0), 0, new Float32Array(0), 0, C, 0, 2, 3, 0, true, false);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float64Array(2).fill(7);
    addon.gemm(new Float64Array(4), 0, new Float64Array(0), 0, untouched, 0, 0, 0, 4, false, false);
    expect(Array.from(untouched)).toEqual([7, 7]);
  });

  it('NaN and Infinity reach the same elements as in the TypeScript kernel', () => {
    const [m, n, k] = [6, 5, 4];
    for (const dtype of ['float32', 'float64'] as const) {
      const A = randomArray(dtype, m * k);
      const B = randomArray(dtype, k * n);
      A[1 * k + 2] = NaN; // row 1 of C: all NaN
      A[3 * k + 0] = Infinity; // row 3: +-Infinity by B[0, j]'s sign, NaN where B[0, j] is 0
      B[0 * n + 2] = 0;
      B[3 * n + 4] = -Infinity; // column 4: -+Infinity, NaN where row 3 also has Infinity against it
      const C = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
      addon.gemm(A, 0, B, 0, C, 0, m, n, k, false, false);
      const typescript = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
      gemmPacked(A, 0, B, 0, typescript, 0, m, n, k, false, false);
      const kind = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'finite');
      expect(Array.from(C, kind)).toEqual(Array.from(typescript, kind));
      expect(Array.from(C, kind).filter((v) => v !== 'finite').length).toBeGreaterThan(n + m);
    }
  });

  it('gemmBatch runs one product per offset triple, each as gemm alone would', () => {
    const [m, n, k] = [7, 6, 5];
    const A = randomArray('float32', 3 * m * k);
    const B = randomArray('float32', k * n); // broadcast: one B for every product
    const batched = new Float32Array(3 * m * n);
    addon.gemmBatch(
      A,
      new Float64Array([0, m * k, 2 * m * k]),
      B,
      new Float64Array([0, 0, 0]),
      batched,
      new Float64Array([0, m * n, 2 * m * n]),
      m,
      n,
      k,
      false,
      false,
    );
    for (let t = 0; t < 3; t++) {
      const one = new Float32Array(m * n);
      addon.gemm(A, t * m * k, B, 0, one, 0, m, n, k, false, false);
      expect(Array.from(batched.subarray(t * m * n, (t + 1) * m * n))).toEqual(Array.from(one));
    }
  });

  it('rejects mixed dtypes, short arrays and bad sizes with errors that name the call', () => {
    const f32 = new Float32Array(4);
    const f64 = new Float64Array(4);
    expect(() => addon.gemm(f32, 0, f64 as never, 0, f32, 0, 2, 2, 2, false, false)).toThrow(/gemm: A, B and C must all be Float32Array/);
    // (The addon's errors come from Node's own realm, not Jest's sandbox: matched by name and message.)
    expect(() => addon.gemm(f32, 1, f32, 0, f32, 0, 2, 2, 2, false, false)).toThrow(/gemm: A is too short for op\(A\) \[m, k\]/);
    expect(() => addon.gemm(f32, 0, f32, 0, f32, 0, 2, 2, 2.5, false, false)).toThrow(/whole number/);
    expect(() => addon.gemm(new Int32Array(4) as never, 0, f32, 0, f32, 0, 2, 2, 2, false, false)).toThrow(
      /argument 0 must be a Float32Array or a Float64Array/,
    );
    expect(() =>
      addon.gemmBatch(f32, new Float64Array([0, 1]), f32, new Float64Array([0]), f32, new Float64Array([0]), 2, 2, 2, false, false),
    ).toThrow(/differ in length/);
    expect(() => addon.setThreads(0)).toThrow(/setThreads: the thread count must be at least 1/);
    const names = [
      () => addon.gemm(f32, 1, f32, 0, f32, 0, 2, 2, 2, false, false),
      () => addon.gemm(f32, 0, f64 as never, 0, f32, 0, 2, 2, 2, false, false),
    ].map((call) => {
      try {
        call();
        return 'no error';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(names).toEqual(['RangeError', 'TypeError']);
  });
});

describeNative('matmul with enableNative()', () => {
  afterEach(() => {
    disableNative();
    setKernelBackend('auto');
  });

  function product(
    a: Tensor,
    b: Tensor,
    flags: { transposeA?: boolean; transposeB?: boolean },
  ): { data: ArrayLike<number>; shape: readonly number[] } {
    const c = a.matmul(b, flags);
    return { data: c.data, shape: c.shape };
  }

  it("gives the TypeScript kernel's results within the error bound: batched, broadcast and transposed, forward and backward", () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const a = tensor(randomArray(dtype, 2 * 3 * 9 * 11), { shape: [2, 3, 11, 9], dtype, requiresGrad: true });
      const b = tensor(randomArray(dtype, 3 * 11 * 13), { shape: [3, 11, 13], dtype, requiresGrad: true });
      const flags = { transposeA: true };
      setKernelBackend('js');
      const expected = product(a, b, flags);
      a.matmul(b, flags).sum().backward();
      const [ga, gb] = [a.grad!.data.slice(), b.grad!.data.slice()];
      a.zeroGrad();
      b.zeroGrad();
      expect(enableNative({ minWork: 0 })).toBe(true);
      const calls = jest.spyOn(addon, 'gemm');
      const actual = product(a, b, flags);
      expect(calls).toHaveBeenCalledTimes(6); // one per output matrix of the [2, 3] batch
      calls.mockRestore();
      a.matmul(b, flags).sum().backward();
      expect(actual.shape).toEqual([2, 3, 9, 13]);
      const tolerance = (dtype === 'float32' ? 1e-5 : 1e-13) * 11 * 4;
      expect(Array.from(actual.data)).toBeAllClose(Array.from(expected.data), { atol: tolerance, rtol: 0 });
      expect(Array.from(a.grad!.data)).toBeAllClose(Array.from(ga), { atol: tolerance * 3, rtol: 0 });
      expect(Array.from(b.grad!.data)).toBeAllClose(Array.from(gb), { atol: tolerance * 6, rtol: 0 });
      disableNative();
    }
  });

  it('writes every element of output memory that is not zero-filled (beta = 0), and zeroes it for a product it declines', () => {
    const n = 64; // n * n = POOL_MIN elements: the output comes from the pool
    const a = tensor(randomArray('float64', n * n), { shape: [n, n] });
    const b = tensor(randomArray('float64', n * n), { shape: [n, n] });
    setKernelBackend('js');
    const expected = Float64Array.from(a.matmul(b).raw.data);
    for (const minWork of [0, 2 * n ** 3]) {
      enableNative({ minWork }); // 0: OpenBLAS takes the product; above its work: declined, the TypeScript kernel runs
      for (let round = 0; round < 3; round++) {
        let released: unknown = null;
        tidy(() => (released = a.matmul(b).add(1).raw.data)); // leaves two [n, n] arrays in the pool, this one on top
        // NaN in every pooled array: an element left unwritten, or accumulated into, shows.
        for (const byLength of Object.values(pool.free)) for (const arrays of byLength.values()) for (const x of arrays) x.fill(NaN);
        const c = a.matmul(b);
        expect(c.raw.data).toBe(released);
        const { exact, magnitude } = reference(a.raw.data, b.raw.data, n, n, n, false, false);
        expectWithinBound(c.raw.data, exact, magnitude, n, 'float64');
        if (minWork > 0) expect(Array.from(c.raw.data)).toEqual(Array.from(expected));
      }
      disableNative();
    }
  });

  it('leaves int32 products to core (exact integers)', () => {
    enableNative({ minWork: 0 });
    const calls = jest.spyOn(addon, 'gemm');
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'int32' },
    );
    const b = tensor(
      [
        [5, 6],
        [7, 8],
      ],
      { dtype: 'int32' },
    );
    const c = a.matmul(b);
    expect(c.dtype).toBe('int32');
    expect(c.toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(calls).not.toHaveBeenCalled();
    calls.mockRestore();
  });
});
