/**
 * The browser entry of @tapegrad/threads (picked through the `browser` export condition): the same API as the Node
 * entry, with Web Workers as helpers. It needs SharedArrayBuffer, which a browser offers only to a cross-origin
 * isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`); elsewhere {@link enableThreads} resolves 1 and changes nothing.
 * @packageDocumentation
 */
import { type Platform, ThreadsController, type ThreadsOptions } from './controller.js';

export { ThreadsError, WorkerLostError } from './pool.js';
export { DEFAULT_HELPER_TIMEOUT, DEFAULT_MIN_WORK, MAX_RESPAWNS, type ThreadsOptions } from './controller.js';

/**
 * Whether this thread may block in Atomics.wait: a Web Worker may, a page's main thread may not (it throws a
 * TypeError before looking at the value, so this probe never blocks).
 */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

const browser: Platform = {
  defaultThreads: () => globalThis.navigator?.hardwareConcurrency || 1,
  sharedMemory: () => globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
  canWait: canBlock,
  startHelper(_index, control, events) {
    // This exact `new Worker(new URL(…, import.meta.url))` form is what bundlers (Vite, webpack 5) detect to bundle
    // the helper script with its imports.
    const worker = new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = () => events.ready();
    worker.onerror = (event) => {
      event.preventDefault();
      events.lost(`failed: ${event.message || 'its script could not be loaded'}`);
    };
    worker.onmessageerror = () => events.lost('failed: it could not receive its control block');
    worker.postMessage(control);
    return {
      send: (message) => worker.postMessage(message),
      terminate: () => {
        worker.terminate();
        return Promise.resolve();
      },
    };
  },
};

const controller = new ThreadsController(browser);

/**
 * Starts `threads - 1` Web Workers and shares every matrix product of at least `minWork` multiply-adds between
 * them and the calling thread (the page or a worker). Products run on the calling thread alone until helpers are
 * ready; the promise resolves, with the number of threads now sharing products, once all of them are. Calling it
 * again replaces the previous helpers; `threads: 1` is the same as {@link disableThreads}.
 *
 * On a page that is not cross-origin isolated there is no SharedArrayBuffer: it resolves 1 and products stay on
 * the calling thread. On a page's main thread, which may not block, the calling thread polls while helpers finish.
 * @throws RangeError for a thread count that is not a whole number of at least 1, or a negative `minWork`.
 * @example
 * const threads = await enableThreads();   // navigator.hardwareConcurrency threads, or 1 without isolation
 */
export function enableThreads(options: ThreadsOptions = {}): Promise<number> {
  return controller.enable(options);
}

/**
 * Stops the helper workers and returns every product to the calling thread. Does nothing when threads are not
 * enabled.
 * @example await disableThreads();
 */
export function disableThreads(): Promise<void> {
  return controller.disable();
}

/**
 * How many threads share large matrix products right now: 1 plus the helpers that are started and alive.
 * @example await enableThreads({ threads: 2 }); threadCount();   // 2 on a cross-origin isolated page
 */
export function threadCount(): number {
  return controller.count();
}
