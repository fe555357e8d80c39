/**
 * @tapegrad/threads: worker threads for tapegrad. `enableThreads()` starts helper threads and installs a parallel
 * executor in `@tapegrad/core` (see `setGemmExecutor`), so every large matrix product, forward and backward, is
 * shared between the calling thread and the helpers. Nothing else changes: ops stay synchronous and the results are
 * those of the single-thread kernels. This is the Node entry (worker_threads); bundlers that honour the `browser`
 * export condition get the Web Worker entry, with the same API.
 * @module @tapegrad/threads
 * @packageDocumentation
 */
import { ThreadsController, type ThreadsOptions } from './controller.js';
import { nodePlatform } from './node-platform.js';
import { spawnHelper } from './spawn.js';

export { ThreadsError, WorkerLostError } from './pool.js';
export { DEFAULT_HELPER_TIMEOUT, DEFAULT_MIN_WORK, MAX_RESPAWNS, type ThreadsOptions } from './controller.js';

const controller = new ThreadsController(nodePlatform(spawnHelper));

/**
 * Starts `threads - 1` helper threads and shares every matrix product of at least `minWork` multiply-adds between
 * them and the calling thread. Products run on the calling thread alone until helpers are ready; the promise
 * resolves, with the number of threads now sharing products, once all of them are. Calling it again replaces the
 * previous helpers; `threads: 1` is the same as {@link disableThreads}. Helpers never keep the process alive.
 * @throws RangeError for a thread count that is not a whole number of at least 1, or a negative `minWork`.
 * @example
 * await enableThreads({ threads: 2 });   // the calling thread and one helper
 * x.matmul(w);                            // shared between both
 * await disableThreads();
 */
export function enableThreads(options: ThreadsOptions = {}): Promise<number> {
  return controller.enable(options);
}

/**
 * Stops the helper threads and returns every product to the calling thread; resolves once they have exited.
 * Does nothing when threads are not enabled.
 * @example await disableThreads();
 */
export function disableThreads(): Promise<void> {
  return controller.disable();
}

/**
 * How many threads share large matrix products right now: 1 plus the helpers that are started and alive.
 * @example await enableThreads({ threads: 2 }); threadCount();   // 2
 */
export function threadCount(): number {
  return controller.count();
}
