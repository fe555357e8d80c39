/**
 * @tapegrad/threads: worker threads for tapegrad. `enableThreads()` starts helper threads and installs a parallel
 * executor in `@tapegrad/core` (see `setGemmExecutor`), so every large matrix product, forward and backward, is
 * shared between the calling thread and the helpers. Nothing else changes: ops stay synchronous and the results are
 * those of the single-thread kernels. This is the Node entry (worker_threads); bundlers that honour the `browser`
 * export condition get the Web Worker entry, with the same API.
 * @module @tapegrad/threads
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { type Platform, ThreadsController, type ThreadsOptions } from './controller.js';
import { spawnHelper } from './spawn.js';

export { ThreadsError } from './pool.js';
export { DEFAULT_MIN_WORK, type ThreadsOptions } from './controller.js';

const node: Platform = {
  defaultThreads: availableParallelism,
  sharedMemory: () => true,
  canWait: () => true,
  startHelper(_index, control, events) {
    const { port1, port2 } = new MessageChannel();
    const worker = spawnHelper({ control, port: port2 });
    // Referenced until it has started, so `await enableThreads()` is not cut short by an idle event loop.
    worker.once('message', () => {
      worker.unref();
      events.ready();
    });
    worker.once('error', (error: Error) => {
      worker.unref();
      events.lost(`failed: ${error.message}`);
    });
    worker.once('exit', (code) => events.lost(`exited (code ${code}) before it was ready`));
    return {
      send: (message) => port1.postMessage(message),
      terminate: () => {
        port1.close();
        return worker.terminate();
      },
    };
  },
};

const controller = new ThreadsController(node);

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
