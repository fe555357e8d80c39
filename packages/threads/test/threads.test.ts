// Products with threads on equal the single-thread kernel's (and a naive triple loop's) for every dtype, transpose
// flag and both kernel backends; the helper really computes its share; gradients still pass gradcheck; misuse and
// helper failures give typed errors. Helpers run from the sources (see source-workers.ts).
import {
  type DType,
  type GemmKernel,
  type KernelBackend,
  type Tensor,
  type TypedArray,
  gemmSingleThread,
  getGemmExecutor,
  setKernelBackend,
  tensor,
} from '@tapegrad/core';
import { ThreadsError, disableThreads, enableThreads, threadCount } from '@tapegrad/threads';
import { ThreadPool } from '../src/pool';
import { naiveProduct } from './naive-product';

jest.mock('../src/spawn', () => require('./source-workers').spawnModule());

let state = 99;
function random(size: number, dtype: DType): TypedArray {
  const data = dtype === 'float32' ? new Float32Array(size) : dtype === 'float64' ? new Float64Array(size) : new Int32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = dtype === 'int32' ? (state % 7) - 3 : state / 2147483648 - 0.5;
  }
  return data;
}

/** Stored operands for op(A) = [m, k] and op(B) = [k, n]. */
function operands(m: number, k: number, n: number, tA: boolean, tB: boolean, dtype: DType, batch: number[] = []): [Tensor, Tensor] {
  const count = batch.reduce((x, y) => x * y, 1);
  const a = tensor(random(count * m * k, dtype), { shape: [...batch, ...(tA ? [k, m] : [m, k])], dtype });
  const b = tensor(random(count * k * n, dtype), { shape: [...batch, ...(tB ? [n, k] : [k, n])], dtype });
  return [a, b];
}

/** The product of one (unbatched) pair by the single-thread kernel, which never goes through the executor. */
function singleThread(a: Tensor, b: Tensor, m: number, n: number, k: number, tA: boolean, tB: boolean): TypedArray {
  const out = a.dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
  gemmSingleThread(a.data, 0, b.data, 0, out, 0, m, n, k, tA, tB);
  return out;
}

function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

const product = (a: Tensor, b: Tensor, tA: boolean, tB: boolean): Tensor => (tA ? a.transpose() : a).matmul(tB ? b.transpose() : b);

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
// [m, k, n]: odd sizes; bands of rows; a thin C cut into bands of columns (m < 2 grains); one too small to cut.
const SIZES: [number, number, number][] = [
  [17, 33, 9],
  [129, 70, 63],
  [63, 300, 257],
  [1, 50, 301],
  [7, 19, 130],
  [5, 3, 7],
];

let shared: jest.SpyInstance;
beforeAll(async () => {
  shared = jest.spyOn(ThreadPool.prototype, 'gemm');
  // minWork 0: every product that can be cut is shared, however small, so small tests cover the threaded path.
  expect(await enableThreads({ threads: 2, minWork: 0 })).toBe(2);
});
afterAll(async () => {
  await disableThreads();
  shared.mockRestore();
});

describe.each(['wasm', 'js'] as KernelBackend[])('a product with 2 threads (%s kernels)', (backend) => {
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend('auto'));

  describe.each(FLAGS)('transposeA=%s transposeB=%s', (tA, tB) => {
    it.each([
      ['float64', 1e-12],
      ['float32', 1e-5],
    ] as [DType, number][])('equals the single-thread kernel and a triple loop in %s', (dtype, tolerance) => {
      for (const [m, k, n] of SIZES) {
        const [a, b] = operands(m, k, n, tA, tB, dtype);
        shared.mockClear();
        const c = product(a, b, tA, tB);
        expect(c.dtype).toBe(dtype);
        expect(c.shape).toEqual([m, n]);
        // The helper took a share of every product that can be cut (at least 2 grains of 8 rows or columns).
        expect(shared.mock.results.map((r) => r.value)).toEqual([m >= 16 || n >= 16]);
        expect(worstError(c.data, singleThread(a, b, m, n, k, tA, tB))).toBeLessThanOrEqual(tolerance);
        expect(worstError(c.data, naiveProduct(a, b, m, n, k, tA, tB))).toBeLessThanOrEqual(tolerance);
      }
    });
  });
});

describe('what goes through the threads', () => {
  it('shares each matrix of a batched, broadcast matmul', () => {
    const [a] = operands(40, 24, 33, false, false, 'float64', [3, 1]);
    const b = tensor(random(4 * 24 * 33, 'float64'), { shape: [4, 24, 33] });
    shared.mockClear();
    const c = a.matmul(b);
    expect(c.shape).toEqual([3, 4, 40, 33]);
    expect(shared.mock.results.filter((r) => r.value === true)).toHaveLength(12);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) {
        const ai = tensor(a.data.slice(i * 960, (i + 1) * 960), { shape: [40, 24] });
        const bj = tensor(b.data.slice(j * 792, (j + 1) * 792), { shape: [24, 33] });
        const got = c.data.subarray((i * 4 + j) * 1320, (i * 4 + j + 1) * 1320);
        expect(worstError(got, naiveProduct(ai, bj, 40, 33, 24, false, false))).toBeLessThanOrEqual(1e-12);
      }
  });

  it('keeps int32 products exact and promotes mixed float32 x float64 to float64', () => {
    const [ai, bi] = operands(50, 40, 30, false, true, 'int32');
    const ci = ai.matmul(bi.transpose());
    expect(ci.dtype).toBe('int32');
    expect(Array.from(ci.data)).toEqual(Array.from(naiveProduct(ai, bi, 50, 30, 40, false, true)));
    const [a32] = operands(50, 40, 30, false, false, 'float32');
    const [, b64] = operands(50, 40, 30, false, false, 'float64');
    const mixed = a32.matmul(b64);
    expect(mixed.dtype).toBe('float64');
    expect(worstError(mixed.data, naiveProduct(a32, b64, 50, 30, 40, false, false))).toBeLessThanOrEqual(1e-12);
  });

  it('leaves products below minWork to the calling thread', async () => {
    await enableThreads({ threads: 2, minWork: 64 ** 3 });
    try {
      shared.mockClear();
      const [a, b] = operands(63, 64, 64, false, false, 'float32');
      product(a, b, false, false);
      const [c, d] = operands(64, 64, 64, false, false, 'float32');
      product(c, d, false, false);
      expect(shared.mock.results.map((r) => r.value)).toEqual([false, true]);
    } finally {
      await enableThreads({ threads: 2, minWork: 0 });
    }
  });

  it('passes gradcheck through matmul, forward and both transposed backward products on threads', () => {
    const [a, b] = operands(24, 20, 18, false, false, 'float64');
    a.requiresGrad = true;
    b.requiresGrad = true;
    const upstream = tensor(random(24 * 18, 'float64'), { shape: [24, 18] });
    shared.mockClear();
    expect((x: Tensor, y: Tensor) => x.matmul(y).tanh().mul(upstream).sum()).toPassGradcheck([a, b]);
    // Forward [24, 20] x [20, 18]; backward dz . y^T [24, 18] x [18, 20] and x^T . dz [20, 24] x [24, 18].
    expect(shared.mock.calls.some((c) => c[9] === false && c[10] === true)).toBe(true);
    expect(shared.mock.calls.some((c) => c[9] === true && c[10] === false)).toBe(true);
    expect(shared.mock.results.every((r) => r.value === true)).toBe(true);
  });
});

describe('enabling and disabling', () => {
  it('refuses a thread count below 1 or not whole, and a negative minWork, with RangeErrors naming the option', () => {
    expect(() => enableThreads({ threads: 0 })).toThrow(RangeError);
    expect(() => enableThreads({ threads: 0 })).toThrow(/enableThreads: threads must be a whole number of at least 1.*got 0/);
    expect(() => enableThreads({ threads: 1.5 })).toThrow(/got 1.5/);
    expect(() => enableThreads({ threads: 2, minWork: -1 })).toThrow(
      /enableThreads: minWork must be a number of multiply-adds >= 0, got -1/,
    );
    // A refused call changes nothing: the helper from beforeAll still serves.
    expect(threadCount()).toBe(2);
  });

  it('threads: 1 and disableThreads return every product to the calling thread, and enabling again works', async () => {
    expect(await enableThreads({ threads: 1 })).toBe(1);
    expect(threadCount()).toBe(1);
    expect(getGemmExecutor()).toBeNull();
    expect(await enableThreads({ threads: 2, minWork: 0 })).toBe(2);
    expect(getGemmExecutor()).toBeInstanceOf(ThreadPool);
    await disableThreads();
    expect(getGemmExecutor()).toBeNull();
    const [a, b] = operands(40, 30, 20, false, false, 'float64');
    expect(worstError(a.matmul(b).data, naiveProduct(a, b, 40, 20, 30, false, false))).toBeLessThanOrEqual(1e-12);
    await disableThreads(); // a second call is harmless
    expect(await enableThreads({ threads: 2, minWork: 0 })).toBe(2);
  });

  it('with 3 threads cuts a product in three and still equals the triple loop', async () => {
    await enableThreads({ threads: 3, minWork: 0 });
    try {
      expect(threadCount()).toBe(3);
      const [a, b] = operands(70, 45, 50, true, false, 'float64');
      expect(worstError(product(a, b, true, false).data, naiveProduct(a, b, 70, 50, 45, true, false))).toBeLessThanOrEqual(1e-12);
    } finally {
      await enableThreads({ threads: 2, minWork: 0 });
    }
  });
});

/** The single-thread kernel, after busy-waiting `ms` milliseconds: a calling thread too slow to take tasks back. */
function slowKernel(ms: number): GemmKernel {
  return (...args) => {
    const start = Date.now();
    while (Date.now() - start < ms);
    gemmSingleThread(...args);
  };
}

describe('the helper does its share', () => {
  it('runs the task itself (its task counter moves) when the calling thread is busy with its own share', () => {
    const pool = getGemmExecutor() as ThreadPool;
    const A = random(64 * 30, 'float64');
    const B = random(30 * 40, 'float64');
    const C = new Float64Array(64 * 40);
    // The calling thread's share is slowed down, so the helper claims its task before it could be taken back.
    const before = pool.helperTasks();
    expect(pool.gemm(A, 0, B, 0, C, 0, 64, 40, 30, false, false, slowKernel(100))).toBe(true);
    expect(pool.helperTasks()).toEqual([before[0] + 1]);
    const a = tensor(A, { shape: [64, 30] });
    const b = tensor(B, { shape: [30, 40] });
    expect(worstError(C, naiveProduct(a, b, 64, 40, 30, false, false))).toBeLessThanOrEqual(1e-12);
  });
});

describe('helper failures', () => {
  it("reports a helper's kernel error as a ThreadsError naming the helper, and the calling thread recovers", () => {
    // A task with an operand kind the protocol has no view for makes the helper's kernel throw.
    const pool = getGemmExecutor() as ThreadPool;
    const internals = pool as unknown as { post(...args: unknown[]): number };
    const post = internals.post;
    const poison = jest.spyOn(internals, 'post').mockImplementation(function (this: unknown, ...args: unknown[]) {
      args[1] = 7;
      return post.apply(this, args);
    });
    const A = random(40 * 30, 'float64');
    const B = random(30 * 20, 'float64');
    const C = new Float64Array(40 * 20);
    // The calling thread's share is slowed down, so that the helper has claimed its task before the calling thread
    // could take it back (a task taken back is computed on the calling thread, without the helper's error).
    const slow = slowKernel(200);
    try {
      expect(() => pool.gemm(A, 0, B, 0, C, 0, 40, 20, 30, false, false, slow)).toThrow(ThreadsError);
      expect(() => pool.gemm(A, 0, B, 0, C, 0, 40, 20, 30, false, false, slow)).toThrow(/matmul: helper thread 1 failed: TypeError/);
    } finally {
      poison.mockRestore();
    }
    const a = tensor(A, { shape: [40, 30] });
    const b = tensor(B, { shape: [30, 20] });
    shared.mockClear();
    expect(worstError(a.matmul(b).data, naiveProduct(a, b, 40, 20, 30, false, false))).toBeLessThanOrEqual(1e-12);
    expect(shared.mock.results.map((r) => r.value)).toEqual([true]);
  });
});
