import { NDArray } from '../../ndarray';
import { gemmSingleThread, matmul } from '../matmul';
import { type GemmExecutor, type GemmKernel, getGemmExecutor, setGemmExecutor } from './gemm-executor';

let state = 7;
function random(shape: number[]): NDArray {
  const data = new Float64Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = state / 2147483648 - 0.5;
  }
  return new NDArray(data, shape);
}

/** The textbook triple loop, as the oracle for both the single-thread and the executor paths. */
function naive(a: NDArray, b: NDArray): Float64Array {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
      out[i * n + j] = s;
    }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-12);
}

/** An executor that splits C's rows in two and runs the given kernel on each half, as a threaded one would. */
function splittingExecutor(calls: string[]): GemmExecutor {
  return {
    gemm(A, ao, B, bo, C, co, m, n, k, tA, tB, kernel: GemmKernel) {
      calls.push(`${m}x${k}x${n}`);
      if (tA || m < 2) return false;
      const h = m >> 1;
      kernel(A, ao, B, bo, C, co, h, n, k, tA, tB);
      kernel(A, ao + h * k, B, bo, C, co + h * n, m - h, n, k, tA, tB);
      return true;
    },
  };
}

describe('the parallel gemm executor hook', () => {
  afterEach(() => setGemmExecutor(null));

  it('is off by default', () => {
    expect(getGemmExecutor()).toBeNull();
  });

  it('offers every product of a matmul to the installed executor, and its result is the product', () => {
    const calls: string[] = [];
    setGemmExecutor(splittingExecutor(calls));
    const a = random([37, 50]);
    const b = random([50, 29]);
    expectClose(matmul(a, b).data, naive(a, b));
    expect(calls).toEqual(['37x50x29']);
  });

  it('runs the product on the calling thread when the executor declines', () => {
    const calls: string[] = [];
    setGemmExecutor(splittingExecutor(calls));
    const a = random([40, 30]);
    const b = random([40, 20]);
    // transposeA: the test executor declines, so the single-thread kernel must produce the whole product.
    const c = matmul(a, b, { transposeA: true });
    const at = new NDArray(new Float64Array(30 * 40), [30, 40]);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 30; j++) at.data[j * 40 + i] = a.data[i * 30 + j];
    expectClose(c.data, naive(at, b));
    expect(calls).toEqual(['30x40x20']);
  });

  it('is removed with null, after which the executor is no longer called', () => {
    const calls: string[] = [];
    setGemmExecutor(splittingExecutor(calls));
    setGemmExecutor(null);
    matmul(random([8, 8]), random([8, 8]));
    expect(calls).toEqual([]);
  });

  it('gemmSingleThread never goes through the executor', () => {
    const calls: string[] = [];
    setGemmExecutor(splittingExecutor(calls));
    const a = random([20, 30]);
    const b = random([30, 10]);
    const c = new Float64Array(200);
    gemmSingleThread(a.data, 0, b.data, 0, c, 0, 20, 10, 30, false, false);
    expectClose(c, naive(a, b));
    expect(calls).toEqual([]);
  });

  it('refuses something that is not an executor with a TypeError naming the function', () => {
    expect(() => setGemmExecutor({} as GemmExecutor)).toThrow(TypeError);
    expect(() => setGemmExecutor(42 as unknown as GemmExecutor)).toThrow(/setGemmExecutor: expected an object with a gemm method/);
    expect(getGemmExecutor()).toBeNull();
  });
});
