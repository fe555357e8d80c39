/**
 * @tapegrad/threads: Node worker threads for tapegrad. `enableThreads()` starts helper threads and installs a
 * parallel executor in `@tapegrad/core` (see `setGemmExecutor`), so every large matrix product, forward and
 * backward, is shared between the calling thread and the helpers. Nothing else changes: ops stay synchronous and
 * the results are those of the single-thread kernels.
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { getGemmExecutor, setGemmExecutor } from '@tapegrad/core';
import { CONTROL_BYTES, Slot } from './protocol.js';
import { Helper, ThreadPool, ThreadsError } from './pool.js';
import { spawnHelper } from './spawn.js';

export { ThreadsError } from './pool.js';

/** Options of {@link enableThreads}. */
export interface ThreadsOptions {
  /** Threads sharing each large product, the calling thread included (so 2 starts one helper). Default: the number of cores. */
  readonly threads?: number;
  /**
   * Products with fewer multiply-adds (m·n·k) than this run on the calling thread alone: the hand-off costs tens of
   * microseconds. Default {@link DEFAULT_MIN_WORK}.
   */
  readonly minWork?: number;
}

/**
 * Below this many multiply-adds a product is not shared. Measured on 2 cores (float32, WebAssembly kernel): a
 * hand-off costs about 10-20 microseconds plus copying the operands, so two threads break even near 64^3 and win
 * 1.15-1.4x from 80^3-128^3 up, 1.5-1.7x from 256^3.
 */
export const DEFAULT_MIN_WORK = 80 * 80 * 80;

let pool: ThreadPool | null = null;

function stopHelpers(helpers: readonly Helper[]): Promise<unknown> {
  return Promise.all(
    helpers.map((h) => {
      h.alive = false;
      // A helper blocked in Atomics.wait wakes on Seq, sees Stop and leaves its loop; terminate() covers the rest.
      Atomics.store(h.ctrl, Slot.Stop, 1);
      Atomics.add(h.ctrl, Slot.Seq, 1);
      Atomics.notify(h.ctrl, Slot.Seq);
      h.port.close();
      return h.worker.terminate();
    }),
  );
}

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
  const threads = options.threads ?? availableParallelism();
  const minWork = options.minWork ?? DEFAULT_MIN_WORK;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`enableThreads: threads must be a whole number of at least 1 (the calling thread counts as one), got ${String(threads)}`);
  }
  if (typeof minWork !== 'number' || !(minWork >= 0)) throw new RangeError(`enableThreads: minWork must be a number of multiply-adds >= 0, got ${String(minWork)}`);
  void disableThreads();
  if (threads === 1) return Promise.resolve(1);

  const helpers: Helper[] = [];
  const started: Promise<void>[] = [];
  for (let index = 1; index < threads; index++) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const { port1, port2 } = new MessageChannel();
    const worker = spawnHelper({ control, port: port2 });
    const helper: Helper = { index, worker, ctrl: new Int32Array(control), port: port1, generation: 0, alive: true };
    helpers.push(helper);
    started.push(
      new Promise<void>((resolve, reject) => {
        // Referenced until it has started, so `await enableThreads()` is not cut short by an idle event loop.
        worker.once('message', () => {
          worker.unref();
          resolve();
        });
        worker.once('error', (error: Error) => {
          helper.alive = false;
          worker.unref();
          reject(new ThreadsError(`enableThreads: helper thread ${index} failed: ${error.message}`));
        });
        worker.once('exit', (code) => {
          helper.alive = false;
          reject(new ThreadsError(`enableThreads: helper thread ${index} exited (code ${code}) before it was ready`));
        });
      }),
    );
  }
  const mine = new ThreadPool(helpers, minWork);
  pool = mine;
  setGemmExecutor(mine);
  return Promise.all(started).then(
    () => 1 + mine.ready().length,
    async (error: unknown) => {
      // A helper that cannot start means none can (same file, same core): go back to one thread, and say why.
      if (pool === mine) await disableThreads();
      throw error;
    },
  );
}

/**
 * Stops the helper threads and returns every product to the calling thread; resolves once they have exited.
 * Does nothing when threads are not enabled.
 * @example await disableThreads();
 */
export function disableThreads(): Promise<void> {
  const current = pool;
  if (current === null) return Promise.resolve();
  pool = null;
  if (getGemmExecutor() === current) setGemmExecutor(null);
  return stopHelpers(current.helpers).then(() => undefined);
}

/**
 * How many threads share large matrix products right now: 1 plus the helpers that are started and alive.
 * @example await enableThreads({ threads: 2 }); threadCount();   // 2
 */
export function threadCount(): number {
  return 1 + (pool?.ready().length ?? 0);
}
