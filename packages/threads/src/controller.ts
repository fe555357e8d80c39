/**
 * Starting and stopping helpers and installing the pool in core, for Node and browsers alike. The entries
 * (index.ts for Node, browser.ts for browsers) only supply a {@link Platform}: how a helper is made, how many
 * threads there are by default, whether shared memory is available and whether the calling thread may block.
 */
import { getGemmExecutor, setGemmExecutor } from '@tapegrad/core';
import { CONTROL_BYTES, Slot } from './protocol.js';
import { type Helper, type HelperLink, ThreadPool, ThreadsError } from './pool.js';

/** Options of `enableThreads`. */
export interface ThreadsOptions {
  /**
   * Threads sharing each large product, the calling thread included (so 2 starts one helper). Default: the number
   * of cores (Node's `availableParallelism()`, a browser's `navigator.hardwareConcurrency`).
   */
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

/** What a helper's start reports back to the controller. */
export interface StartEvents {
  /** The helper has loaded the kernels and waits for tasks. */
  ready(): void;
  /** The helper failed or exited; `cause` completes "helper thread N …" (e.g. "failed: <message>"). */
  lost(cause: string): void;
}

/** Where the threads run: everything the controller needs that differs between Node and a browser. */
export interface Platform {
  /** Threads when the options name none: the number of cores. */
  defaultThreads(): number;
  /** False where helpers cannot share memory (a browser page that is not cross-origin isolated). */
  sharedMemory(): boolean;
  /** Whether the calling thread may block in Atomics.wait (not on a browser page's main thread). */
  canWait(): boolean;
  /** Starts helper `index` on its control block, reporting through `events`. */
  startHelper(index: number, control: SharedArrayBuffer, events: StartEvents): HelperLink;
}

function stopHelpers(helpers: readonly Helper[]): Promise<unknown> {
  return Promise.all(
    helpers.map((h) => {
      h.alive = false;
      // A helper blocked in Atomics.wait wakes on Seq, sees Stop and leaves its loop; terminate() covers the rest.
      Atomics.store(h.ctrl, Slot.Stop, 1);
      Atomics.add(h.ctrl, Slot.Seq, 1);
      Atomics.notify(h.ctrl, Slot.Seq);
      return h.terminate();
    }),
  );
}

/** The state behind one entry's enableThreads / disableThreads / threadCount. */
export class ThreadsController {
  private pool: ThreadPool | null = null;

  constructor(private readonly platform: Platform) {}

  enable(options: ThreadsOptions): Promise<number> {
    const threads = options.threads ?? this.platform.defaultThreads();
    const minWork = options.minWork ?? DEFAULT_MIN_WORK;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(
        `enableThreads: threads must be a whole number of at least 1 (the calling thread counts as one), got ${String(threads)}`,
      );
    }
    if (typeof minWork !== 'number' || !(minWork >= 0))
      throw new RangeError(`enableThreads: minWork must be a number of multiply-adds >= 0, got ${String(minWork)}`);
    void this.disable();
    if (threads === 1 || !this.platform.sharedMemory()) return Promise.resolve(1);

    const helpers: Helper[] = [];
    const started: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      started.push(
        new Promise<void>((resolve, reject) => {
          let helper: Helper | null = null;
          const lost = (cause: string): void => {
            if (helper !== null) helper.alive = false;
            reject(new ThreadsError(`enableThreads: helper thread ${index} ${cause}`));
          };
          try {
            const link = this.platform.startHelper(index, control, { ready: resolve, lost });
            helper = { index, ctrl: new Int32Array(control), generation: 0, alive: true, send: link.send, terminate: link.terminate };
            helpers.push(helper);
          } catch (error) {
            // E.g. a browser that refuses the worker script: the same error as a helper failing once started.
            lost(`failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }),
      );
    }
    const mine = new ThreadPool(helpers, minWork, this.platform.canWait());
    this.pool = mine;
    // An executor standing in front (the native backend's OpenBLAS) keeps its place and hands the pool what it declines.
    const front = getGemmExecutor();
    if (front !== null && 'behind' in front) front.behind = mine;
    else setGemmExecutor(mine);
    return Promise.all(started).then(
      () => 1 + mine.ready().length,
      async (error: unknown) => {
        // A helper that cannot start means none can (same file, same core): go back to one thread, and say why.
        if (this.pool === mine) await this.disable();
        throw error;
      },
    );
  }

  disable(): Promise<void> {
    const current = this.pool;
    if (current === null) return Promise.resolve();
    this.pool = null;
    const front = getGemmExecutor();
    if (front === current) setGemmExecutor(null);
    else if (front?.behind === current) front.behind = null;
    return stopHelpers(current.helpers).then(() => undefined);
  }

  count(): number {
    return 1 + (this.pool?.ready().length ?? 0);
  }
}
