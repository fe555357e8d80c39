/**
 * The browser proof of @tapegrad/threads, run by the end-to-end tests on threads.html (on the page's main thread,
 * and in a Web Worker): enable threads, run float32 and float64 products with every transpose flag, and report how
 * each compares with the single-thread kernel (bitwise) and a naive triple loop, and how many tasks the helpers
 * ran. It only measures; the tests decide.
 */
import { type DType, type GemmExecutor, type GemmKernel, type TypedArray, gemmSingleThread, getGemmExecutor, tensor } from '@tapegrad/core';
import { disableThreads, enableThreads, threadCount } from '@tapegrad/threads';

/** The pool's own counters, which @tapegrad/threads does not export: read through the installed executor. */
interface PoolInternals extends GemmExecutor {
  helperTasks(): number[];
}

export interface ProductReport {
  readonly dtype: DType;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** Elements of C that differ, bit for bit, from the single-thread kernel's product. */
  readonly mismatches: number;
  /** Worst |c - naive| / (1 + |naive|) against a float64 triple loop. */
  readonly worstVsNaive: number;
  /** Whether the installed executor took the product (false: it ran on the calling thread alone). */
  readonly shared: boolean;
  /** Tasks the helpers ran themselves during the product. */
  readonly helperTasks: number;
}

export interface CheckReport {
  readonly isolated: boolean;
  /** Whether the check ran in a Web Worker (which may block in Atomics.wait) or on a page's main thread (may not). */
  readonly inWorker: boolean;
  /** What enableThreads resolved, and threadCount() after it. */
  readonly enabled: number;
  readonly threadCount: number;
  readonly products: ProductReport[];
  /**
   * One product through the executor with the calling thread's own share slowed down, so the helper must compute
   * its share (null without threads): its task count and C's mismatches against the single-thread kernel.
   */
  readonly forcedHelper: { readonly shared: boolean; readonly helperTasks: number; readonly mismatches: number } | null;
  /** threadCount() after disableThreads(). */
  readonly afterDisable: number;
}

const M = 300;
const K = 200;
const N = 100;
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

let state = 12345;
function random(size: number, dtype: DType): Float32Array | Float64Array {
  const data = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = state / 2147483648 - 0.5;
  }
  return data;
}

const totalTasks = (): number => (getGemmExecutor() as unknown as PoolInternals | null)?.helperTasks().reduce((x, y) => x + y, 0) ?? 0;

function mismatches(actual: TypedArray, expected: TypedArray): number {
  let count = actual.length === expected.length ? 0 : Math.max(actual.length, expected.length);
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) if (!Object.is(actual[i], expected[i])) count++;
  return count;
}

/** A, B stored for op(A) = [M, K], op(B) = [K, N]; the single-thread kernel's C and the naive float64 C. */
function oracles(a: TypedArray, b: TypedArray, tA: boolean, tB: boolean, dtype: DType): [TypedArray, Float64Array] {
  const single = dtype === 'float32' ? new Float32Array(M * N) : new Float64Array(M * N);
  gemmSingleThread(a, 0, b, 0, single, 0, M, N, K, tA, tB);
  const naive = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += (tA ? a[p * M + i] : a[i * K + p]) * (tB ? b[j * K + p] : b[p * N + j]);
      naive[i * N + j] = s;
    }
  return [single, naive];
}

function checkProduct(dtype: DType, tA: boolean, tB: boolean): ProductReport {
  const a = tensor(random(M * K, dtype), { shape: tA ? [K, M] : [M, K], dtype });
  const b = tensor(random(K * N, dtype), { shape: tB ? [N, K] : [K, N], dtype });
  const executor = getGemmExecutor();
  let shared = false;
  const gemm = executor?.gemm.bind(executor);
  // Spy on the installed executor's answer for this product.
  if (executor && gemm) executor.gemm = (...args) => (shared = gemm(...args));
  const before = totalTasks();
  let c: TypedArray;
  try {
    c = (tA ? a.transpose() : a).matmul(tB ? b.transpose() : b).data;
  } finally {
    if (executor && gemm) delete (executor as { gemm?: unknown }).gemm;
  }
  const helperTasks = totalTasks() - before;
  const [single, naive] = oracles(a.data, b.data, tA, tB, dtype);
  let worst = 0;
  for (let i = 0; i < naive.length; i++) worst = Math.max(worst, Math.abs(c[i] - naive[i]) / (1 + Math.abs(naive[i])));
  return { dtype, transposeA: tA, transposeB: tB, mismatches: mismatches(c, single), worstVsNaive: worst, shared, helperTasks };
}

function forceHelper(): CheckReport['forcedHelper'] {
  const pool = getGemmExecutor() as unknown as PoolInternals | null;
  if (pool === null) return null;
  const a = random(M * K, 'float64');
  const b = random(K * N, 'float64');
  const c = new Float64Array(M * N);
  const slow: GemmKernel = (...args) => {
    const until = performance.now() + 100;
    while (performance.now() < until);
    gemmSingleThread(...args);
  };
  const before = totalTasks();
  const shared = pool.gemm(a, 0, b, 0, c, 0, M, N, K, false, false, slow);
  const helperTasks = totalTasks() - before;
  return { shared, helperTasks, mismatches: mismatches(c, oracles(a, b, false, false, 'float64')[0]) };
}

/** Runs the whole check with `threads` threads (minWork 0: every product that can be cut is shared). */
export async function runCheck(threads: number): Promise<CheckReport> {
  const enabled = await enableThreads({ threads, minWork: 0 });
  const count = threadCount();
  const products: ProductReport[] = [];
  // Twice over: the first products make the helpers fetch a new data buffer (float64 needs a larger one).
  for (let round = 0; round < 2; round++) {
    for (const dtype of ['float32', 'float64'] as DType[]) for (const [tA, tB] of FLAGS) products.push(checkProduct(dtype, tA, tB));
  }
  const forcedHelper = forceHelper();
  await disableThreads();
  return {
    isolated: globalThis.crossOriginIsolated === true,
    inWorker: typeof document === 'undefined',
    enabled,
    threadCount: count,
    products,
    forcedHelper,
    afterDisable: threadCount(),
  };
}
