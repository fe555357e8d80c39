import { type GemmExecutor, setGemmExecutor } from './backend/gemm-executor';
import { type KernelBackend, setKernelBackend } from './backend/kernel-backend';
import { wasmGemmAvailable, wasmRelaxedGemmAvailable } from './backend/wasm-gemm';
import { ShapeError } from '../../errors';
import { type DType, allocate, allocateUnfilled, donation, releaseArray } from '../dtype';
import { NDArray } from '../ndarray';
import { gemmDirect, gemmPacked, gemmSingleThread, matmul } from './matmul';

// An independent reference: the textbook triple loop over explicitly indexed, explicitly transposed operands,
// accumulated in float64, with NumPy's batch broadcasting spelled out by hand.
function reference(a: NDArray, b: NDArray, tA: boolean, tB: boolean): { data: Float64Array; shape: number[] } {
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const n = tB ? br : bc;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: readonly number[]): number[] => [...Array(rank - s.length).fill(1), ...s];
  const pa = pad(aBatch);
  const pb = pad(bBatch);
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const count = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(count * m * n);
  for (let t = 0; t < count; t++) {
    const idx: number[] = [];
    let rem = t;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
    }
    // A size-1 batch axis of an operand is broadcast: it always reads its only matrix.
    const flat = (dims: number[]): number =>
      linear(
        idx.map((v, i) => (dims[i] === 1 ? 0 : v)),
        dims,
      );
    const aOff = flat(pa) * ar * ac;
    const bOff = flat(pb) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = tA ? a.data[aOff + p * ac + i] : a.data[aOff + i * ac + p];
          const bv = tB ? b.data[bOff + j * bc + p] : b.data[bOff + p * bc + j];
          s += av * bv;
        }
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return { data: out, shape: [...batch, m, n] };
}

function linear(idx: readonly number[], dims: readonly number[]): number {
  let off = 0;
  for (let i = 0; i < dims.length; i++) off = off * dims[i] + idx[i];
  return off;
}

let state = 12345;
function random(shape: number[], dtype: DType): NDArray {
  const data = allocate(
    dtype,
    shape.reduce((x, y) => x * y, 1),
  );
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = dtype === 'int32' ? (state % 7) - 3 : state / 2147483648 - 0.5;
  }
  return new NDArray(data, shape);
}

/** Operand shapes that give op(A) = [m, k] and op(B) = [k, n] for the given flags. */
function operands(m: number, k: number, n: number, tA: boolean, tB: boolean, dtype: DType, aBatch: number[] = [], bBatch: number[] = []) {
  return {
    a: random([...aBatch, ...(tA ? [k, m] : [m, k])], dtype),
    b: random([...bBatch, ...(tB ? [n, k] : [k, n])], dtype),
  };
}

function expectClose(actual: NDArray, expected: { data: Float64Array; shape: number[] }, tolerance: number): void {
  expect(actual.shape).toEqual(expected.shape);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const err = Math.abs(actual.data[i] - expected.data[i]) / (1 + Math.abs(expected.data[i]));
    if (!(err <= worst)) worst = err;
  }
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
const SIZES = [1, 3, 17, 63, 129];

// 'wasm-relaxed' where the host validates relaxed SIMD (Node 20: with --experimental-wasm-relaxed-simd, as the
// second Jest run of `pnpm test` is started; see jest.config.ts).
const BACKENDS: KernelBackend[] = wasmRelaxedGemmAvailable() ? ['js', 'wasm', 'wasm-relaxed'] : ['js', 'wasm'];

describe.each(BACKENDS)('matmul kernel (%s backend) against a naive triple loop', (backend) => {
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend('auto'));

  describe.each(FLAGS)('transposeA=%s transposeB=%s', (tA, tB) => {
    it.each(['float64', 'float32'] as DType[])('%s, every combination of odd sizes', (dtype) => {
      // The wasm float32 kernel accumulates in float32, as TF.js does; the reference sums in float64.
      const tolerance = dtype === 'float64' ? 1e-12 : 1e-5;
      for (const m of SIZES)
        for (const k of SIZES)
          for (const n of [1, 17, 129]) {
            const { a, b } = operands(m, k, n, tA, tB, dtype);
            expectClose(matmul(a, b, { transposeA: tA, transposeB: tB }), reference(a, b, tA, tB), tolerance);
          }
    });

    it.each([
      ['float64', 1e-12],
      ['float32', 1e-4],
    ] as [DType, number][])('crosses every block boundary (k > KC, n > NC, m > MC) in %s', (dtype, tolerance) => {
      const { a, b } = operands(67, 513, 1031, tA, tB, dtype);
      expectClose(matmul(a, b, { transposeA: tA, transposeB: tB }), reference(a, b, tA, tB), tolerance);
    });

    it('broadcasts batch dimensions', () => {
      const { a, b } = operands(33, 40, 35, tA, tB, 'float64', [2, 1, 3], [4, 1]);
      const c = matmul(a, b, { transposeA: tA, transposeB: tB });
      expect(c.shape).toEqual([2, 4, 3, 33, 35]);
      expectClose(c, reference(a, b, tA, tB), 1e-12);
    });
  });

  it('keeps the operand dtype: float32 in gives float32 out, mixed gives float64, int32 stays exact', () => {
    const { a, b } = operands(40, 50, 30, false, false, 'float32');
    expect(matmul(a, b).dtype).toBe('float32');
    const b64 = new NDArray(Float64Array.from(b.data), b.shape);
    const mixed = matmul(a, b64);
    expect(mixed.dtype).toBe('float64');
    expectClose(mixed, reference(a, b64, false, false), 1e-12);
    const ints = operands(40, 50, 30, false, true, 'int32');
    const c = matmul(ints.a, ints.b, { transposeB: true });
    expect(c.dtype).toBe('int32');
    expect(Array.from(c.data)).toEqual(Array.from(reference(ints.a, ints.b, false, true).data));
  });

  it('propagates NaN and Infinity as IEEE arithmetic does', () => {
    const a = new NDArray(Float64Array.of(0, 1, 2, 3), [2, 2]);
    const b = new NDArray(Float64Array.of(Infinity, 1, NaN, 1), [2, 2]);
    const c = matmul(a, b).data;
    expect(Number.isNaN(c[0])).toBe(true); // 0 * Inf + 1 * NaN
    expect(c[1]).toBe(1);
  });

  it('gives the same result on a repeated call (no state leaks between calls through scratch buffers)', () => {
    const { a, b } = operands(70, 300, 90, true, false, 'float32');
    const first = Array.from(matmul(a, b, { transposeA: true }).data);
    matmul(operands(5, 7, 9, false, false, 'float32').a, operands(5, 7, 9, false, false, 'float32').b);
    expect(Array.from(matmul(a, b, { transposeA: true }).data)).toEqual(first);
  });
});

describe('matmul kernel paths and errors', () => {
  it('the packed and the direct paths agree with the reference on the same small and odd inputs', () => {
    for (const [tA, tB] of FLAGS) {
      for (const [m, k, n] of [
        [1, 1, 1],
        [3, 5, 7],
        [17, 3, 63],
        [5, 300, 2],
      ]) {
        const { a, b } = operands(m, k, n, tA, tB, 'float64');
        const expected = reference(a, b, tA, tB).data;
        for (const gemm of [gemmPacked, gemmDirect]) {
          const out = new Float64Array(m * n);
          gemm(a.data, 0, b.data, 0, out, 0, m, n, k, tA, tB);
          for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i], 12);
        }
      }
    }
  });

  it('refuses mismatched inner sizes with a ShapeError naming both shapes', () => {
    const a = random([2, 3], 'float64');
    const b = random([4, 5], 'float64');
    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b)).toThrow(/matmul: inner sizes differ: \[2, 3\] x \[4, 5\] \(3 vs 4\)/);
    expect(() => matmul(a, b, { transposeA: true })).toThrow(/\[2, 3\]\^T x \[4, 5\] \(2 vs 4\)/);
  });

  it('has the WebAssembly SIMD kernel available on this Node version, and refuses an unknown backend name', () => {
    expect(wasmGemmAvailable()).toBe(true);
    expect(() => setKernelBackend('gpu' as KernelBackend)).toThrow(/setKernelBackend: unknown backend gpu/);
  });

  it("'wasm-relaxed' fuses the multiply-adds where relaxed SIMD validates (other bits than 'wasm', no larger error), and is refused with the flag's name where not", () => {
    if (!wasmRelaxedGemmAvailable()) {
      expect(() => setKernelBackend('wasm-relaxed')).toThrow(
        /does not validate WebAssembly relaxed SIMD \(Node 20 needs --experimental-wasm-relaxed-simd\)/,
      );
      return;
    }
    const { a, b } = operands(64, 300, 72, false, true, 'float32');
    const exact = reference(a, b, false, true).data;
    const run = (backend: KernelBackend) => {
      setKernelBackend(backend);
      return matmul(a, b, { transposeB: true }).data;
    };
    const [plain, fused, auto] = [run('wasm'), run('wasm-relaxed'), run('auto')];
    setKernelBackend('auto');
    const error = (c: ArrayLike<number>) => Array.from(c).reduce((sum, v, i) => sum + Math.abs(v - exact[i]), 0);
    // One rounding per step instead of two: the bits differ (on any CPU with FMA, which V8 then uses) ...
    expect(Array.from(fused).filter((v, i) => v !== plain[i]).length).toBeGreaterThan(fused.length / 10);
    // ... and the total error is no worse (a fused step is exact before its one rounding).
    expect(error(fused)).toBeLessThanOrEqual(error(plain) * 1.1);
    expect(Array.from(auto)).toEqual(Array.from(fused)); // 'auto' prefers the relaxed build where it validates
  });
});

describe.each(['js', 'wasm', 'auto'] as KernelBackend[])('the outer product (inner size 1) on the %s backend', (backend) => {
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend('auto'));

  // Each element is one product rounded once to the dtype: the closed form, bit for bit (Math.fround for float32,
  // whose double product is exact before that rounding).
  const exact = (a: NDArray, b: NDArray, dtype: DType) => (i: number, j: number) =>
    dtype === 'float32' ? Math.fround(a.data[i] * b.data[j]) : a.data[i] * b.data[j];

  it.each(['float64', 'float32'] as DType[])(
    '%s: every element is a_i b_j exactly, across vector tails and the row blocks, whichever operand is transposed',
    (dtype) => {
      // n around the widths of a vector and of four (2 and 8 doubles, 4 and 16 floats); m x n past a 256 KB block.
      for (const [m, n] of [
        [1, 1],
        [7, 3],
        [5, 9],
        [3, 17],
        [33, 35],
        [300, 260],
      ]) {
        for (const [tA, tB] of FLAGS) {
          const { a, b } = operands(m, 1, n, tA, tB, dtype);
          const c = matmul(a, b, { transposeA: tA, transposeB: tB });
          const want = exact(a, b, dtype);
          let wrong = 0;
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (!Object.is(c.data[i * n + j], want(i, j))) wrong++;
          expect([m, n, tA, tB, wrong]).toEqual([m, n, tA, tB, 0]);
        }
      }
    },
  );

  it('batched, with a broadcast operand: each batch entry its own outer product', () => {
    const a = random([3, 40, 1], 'float64');
    const b = random([1, 1, 50], 'float64');
    const c = matmul(a, b);
    expect(c.shape).toEqual([3, 40, 50]);
    expectClose(c, reference(a, b, false, false), 0);
  });

  it('propagates NaN and Infinity (Infinity times 0 is NaN), and mixed or int32 operands keep their dtype rules', () => {
    const a = new NDArray(Float32Array.of(0, 2, NaN, -1), [4, 1]);
    const b = new NDArray(Float32Array.of(Infinity, 3, 0, 1, -2, 0.5, 4, 8), [1, 8]);
    const c = Array.from(matmul(a, b).data);
    expect(c.slice(0, 8).map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 0, 0, 0, -0, 0, 0, 0]);
    expect(c.slice(8, 16)).toEqual([Infinity, 6, 0, 2, -4, 1, 8, 16]);
    expect(c.slice(16, 24).every(Number.isNaN)).toBe(true);
    const mixed = matmul(a, new NDArray(Float64Array.from(b.data), b.shape));
    expect(mixed.dtype).toBe('float64');
    const ints = matmul(new NDArray(Int32Array.of(2, -3), [2, 1]), new NDArray(Int32Array.of(5, 7, 11), [1, 3]));
    expect([ints.dtype, ...ints.data]).toEqual(['int32', 10, 14, 22, -15, -21, -33]);
  });

  it('writes every element of spare memory it is handed (vmap reuseOutputs): no stale value survives', () => {
    const { a, b } = operands(300, 1, 260, false, false, 'float64');
    const garbage = new Float64Array(300 * 260).fill(NaN);
    donation.current = [garbage];
    let c: NDArray;
    try {
      c = matmul(a, b);
    } finally {
      donation.current = null;
    }
    expect(c.data).toBe(garbage); // the spare memory was used ...
    expectClose(c, reference(a, b, false, false), 0); // ... and every element written
  });

  it("writes every element of the pool's unfilled memory, and zeroes it first for an executor that adds into C", () => {
    const { a, b } = operands(300, 1, 260, false, false, 'float64');
    const dirty = () => {
      const d = allocateUnfilled('float64', 300 * 260).fill(NaN);
      expect(releaseArray(d)).toBe(true);
      return d;
    };
    const pooled = dirty();
    const c = matmul(a, b);
    expect(c.data).toBe(pooled);
    expectClose(c, reference(a, b, false, false), 0);
    // An executor that accumulates into C, as the single-thread kernels do (not `overwrites`).
    const adding: GemmExecutor = {
      gemm: (A, ao, B, bo, C, co, m, n, k, tA, tB, kernel) => (kernel(A, ao, B, bo, C, co, m, n, k, tA, tB), true),
    };
    setGemmExecutor(adding);
    try {
      const again = dirty();
      const d = matmul(a, b);
      expect(d.data).toBe(again);
      expectClose(d, reference(a, b, false, false), 0);
    } finally {
      setGemmExecutor(null);
    }
  });
});

describe.each(['js', 'wasm', 'auto'] as KernelBackend[])("a product's output memory on the %s backend", (backend) => {
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend('auto'));

  // The WebAssembly kernel overwrites C, so matmul hands it the pool's memory unfilled; the loops add into C, so they
  // get it zeroed. Either way a stale value must not survive.
  it.each(['float32', 'float64', 'int32'] as DType[])('%s: no stale value of pooled memory survives in C (k > 1)', (dtype) => {
    const { a, b } = operands(70, 33, 90, true, false, dtype);
    const dirty = allocateUnfilled(dtype, 70 * 90).fill(dtype === 'int32' ? 12345 : NaN);
    expect(releaseArray(dirty)).toBe(true);
    const c = matmul(a, b, { transposeA: true });
    expect(c.data).toBe(dirty);
    expectClose(c, reference(a, b, true, false), dtype === 'float32' ? 1e-5 : 1e-12);
  });
});

it("the single-thread kernel on 'wasm' zeroes C before the loops when the WebAssembly kernel declines (mixed dtypes)", () => {
  setKernelBackend('wasm');
  const { a } = operands(9, 40, 11, false, false, 'float32');
  const { b } = operands(9, 40, 11, false, false, 'float64');
  const C = new Float64Array(9 * 11).fill(NaN);
  gemmSingleThread(a.data, 0, b.data, 0, C, 0, 9, 11, 40, false, false);
  setKernelBackend('auto');
  expectClose(new NDArray(C, [9, 11]), reference(a, b, false, false), 1e-12);
});
