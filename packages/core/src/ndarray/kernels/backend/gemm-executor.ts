/**
 * The hook through which a host adds threads to the matrix product without the core knowing how threads are made.
 * The core stays single-threaded and browser-safe: it only asks an installed executor to take a product, and an
 * executor (in Node, `@tapegrad/threads`) splits C between the calling thread and its helpers, each running the
 * ordinary single-thread kernel on its share. Ops are synchronous, so an executor returns only when C is complete.
 */
import { shared } from '../../../shared.js';
import type { TypedArray } from '../../dtype.js';

/**
 * One matrix product as every gemm kernel and executor takes it: C[co, co + m*n) = op(A) . op(B), with op(A) of
 * shape [m, k] and op(B) of shape [k, n]; A is stored [m, k] (or [k, m] when `transposeA`), B is stored [k, n] (or
 * [n, k] when `transposeB`), all row-major and contiguous from their offsets. C's range must be zero on entry.
 * Declared once here, so the kernels, the executors (`@tapegrad/threads`, `@tapegrad/native`) and their tests
 * spell the eleven arguments the same way.
 * @example
 * const product: GemmArgs = [A, 0, B, 0, C, 0, m, n, k, false, false];   // C = A . B, A [m, k], B [k, n]
 * gemmSingleThread(...product);
 */
export type GemmArgs<T extends TypedArray = TypedArray> = [
  A: T,
  ao: number,
  B: T,
  bo: number,
  C: T,
  co: number,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
];

/** A single-thread matrix product of the arguments described at {@link GemmArgs}. */
export type GemmKernel = (...product: GemmArgs) => void;

/**
 * What an executor's `gemm` takes: the product, then `kernel`, the single-thread kernel the calling thread would
 * have run (for the calling thread's share).
 */
export type GemmCall = [...product: GemmArgs, kernel: GemmKernel];

/** Something that can share a matrix product between threads; installed with {@link setGemmExecutor}. */
export interface GemmExecutor {
  /**
   * Computes the product ({@link GemmCall}), or returns false without touching C to leave it to the calling
   * thread (too little work to pay for the hand-off, helpers not started yet, an unsupported dtype).
   */
  gemm(...call: GemmCall): boolean;
  /**
   * Set on an executor that stands in front of another and hands it what it declines (`@tapegrad/native`'s, in
   * front of the thread pool): `enableThreads` then installs its pool here instead of replacing the front one.
   */
  behind?: GemmExecutor | null;
  /**
   * Set on an executor whose products overwrite C's range (BLAS's beta = 0): `matmul` then gives it memory that is not
   * zero-filled (no pass over C before the product), and zeroes the range itself before a product the executor declines.
   */
  overwrites?: boolean;
  /** How many threads this executor shares a large product between: the budget an executor in front follows. */
  threads?(): number;
}

// One executor for every copy of the library in the process (shared.ts): threads enabled through either entry serve both.
const slot = shared('gemmExecutor', () => ({ installed: null as GemmExecutor | null }));

/**
 * Installs a parallel executor for matrix products, or removes it with `null` (the default: every product runs on
 * the calling thread). Every matmul, forward and backward, offers its products to the executor, which may decline.
 * Most users call `enableThreads()` from `@tapegrad/threads` instead of this.
 * @example
 * setGemmExecutor({ gemm: (A, ao, B, bo, C, co, m, n, k, tA, tB, kernel) => { kernel(A, ao, B, bo, C, co, m, n, k, tA, tB); return true; } });
 * setGemmExecutor(null);   // back to the calling thread alone
 */
export function setGemmExecutor(executor: GemmExecutor | null): void {
  if (executor !== null && typeof executor?.gemm !== 'function') {
    throw new TypeError(
      `setGemmExecutor: expected an object with a gemm method, or null; got ${typeof executor === 'object' ? 'an object without one' : typeof executor}`,
    );
  }
  slot.installed = executor;
}

/** The executor installed with {@link setGemmExecutor}, or null when products run on the calling thread alone. */
export function getGemmExecutor(): GemmExecutor | null {
  return slot.installed;
}
