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
  /**
   * Milliseconds a helper may take, beyond what the calling thread took for its own (equal) share of a product,
   * before it counts as lost: the product then throws a {@link WorkerLostError} naming it, the helper is stopped
   * and a new one starts in its place (at most {@link MAX_RESPAWNS} times per `enableThreads`). It bounds how long a
   * helper that died or hangs can hold up the calling thread. Default {@link DEFAULT_HELPER_TIMEOUT}; `Infinity`
   * waits forever.
   */
  readonly helperTimeout?: number;
}

/**
 * 10 seconds: far beyond any pause a busy machine gives a thread, short enough that a hung helper is noticed.
 * @example await enableThreads({ helperTimeout: DEFAULT_HELPER_TIMEOUT / 10 });
 */
export const DEFAULT_HELPER_TIMEOUT = 10_000;

/**
 * How many lost helpers one `enableThreads` replaces before it goes on with fewer threads (a helper that keeps
 * dying would otherwise cost a timeout on every product).
 * @example threadCount(); // one fewer once MAX_RESPAWNS replacements have been lost too
 */
export const MAX_RESPAWNS = 3;

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

/** Tells a helper to stop (a helper blocked in Atomics.wait wakes on Seq and sees Stop) and ends its thread. */
function stopHelper(h: Helper): Promise<unknown> {
  h.alive = false;
  Atomics.store(h.ctrl, Slot.Stop, 1);
  Atomics.add(h.ctrl, Slot.Seq, 1);
  Atomics.notify(h.ctrl, Slot.Seq);
  return h.terminate();
}

/** The state behind one entry's enableThreads / disableThreads / threadCount. */
export class ThreadsController {
  private pool: ThreadPool | null = null;
  /** Replacements started for the current pool. */
  private respawns = 0;
  /** Helpers told to stop whose threads may not have ended yet: disable() waits for them. */
  private readonly stopping = new Set<Promise<unknown>>();

  constructor(private readonly platform: Platform) {}

  enable(options: ThreadsOptions): Promise<number> {
    const threads = options.threads ?? this.platform.defaultThreads();
    const minWork = options.minWork ?? DEFAULT_MIN_WORK;
    const helperTimeout = options.helperTimeout ?? DEFAULT_HELPER_TIMEOUT;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(
        `enableThreads: threads must be a whole number of at least 1 (the calling thread counts as one), got ${String(threads)}`,
      );
    }
    if (typeof minWork !== 'number' || !(minWork >= 0))
      throw new RangeError(`enableThreads: minWork must be a number of multiply-adds >= 0, got ${String(minWork)}`);
    if (typeof helperTimeout !== 'number' || !(helperTimeout > 0))
      throw new RangeError(`enableThreads: helperTimeout must be a number of milliseconds > 0 (or Infinity), got ${String(helperTimeout)}`);
    void this.disable();
    if (threads === 1 || !this.platform.sharedMemory()) return Promise.resolve(1);

    const mine: ThreadPool = new ThreadPool([], {
      minWork,
      canWait: this.platform.canWait(),
      helperTimeout,
      onLost: (helper) => this.replace(mine, helper),
    });
    this.pool = mine;
    this.respawns = 0;
    const started: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) started.push(this.start(mine, index));
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

  /**
   * Starts helper `index` into its slot of `pool`. Resolves once it is ready; rejects with a ThreadsError when it
   * fails before that. One that dies later is replaced ({@link replace}).
   */
  private start(pool: ThreadPool, index: number): Promise<void> {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    return new Promise<void>((resolve, reject) => {
      let helper: Helper | null = null;
      let ready = false;
      const lost = (cause: string): void => {
        // A helper stopped on purpose (or already replaced) reports its exit too: nothing to do then.
        if (helper !== null && !helper.alive) return;
        if (helper !== null && ready) {
          this.replace(pool, helper);
          return;
        }
        if (helper !== null) helper.alive = false;
        reject(new ThreadsError(`enableThreads: helper thread ${index} ${cause}`));
      };
      const events = {
        ready: () => {
          ready = true;
          resolve();
        },
        lost,
      };
      try {
        const link = this.platform.startHelper(index, control, events);
        helper = { index, ctrl: new Int32Array(control), generation: 0, alive: true, send: link.send, terminate: link.terminate };
        pool.helpers[index - 1] = helper;
      } catch (error) {
        // E.g. a browser that refuses the worker script: the same error as a helper failing once started.
        lost(`failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  /** Stops a lost helper and, while the pool is current and replacements remain, starts another in its slot. */
  private replace(pool: ThreadPool, helper: Helper): string {
    this.track(stopHelper(helper));
    if (this.pool !== pool) return 'its threads are being stopped';
    if (this.respawns >= MAX_RESPAWNS)
      return `no new one starts (${MAX_RESPAWNS} have been already): products go on with ${pool.threads()} thread(s)`;
    this.respawns++;
    // A replacement that cannot start leaves its slot empty; the products go on without it.
    this.start(pool, helper.index).catch(() => undefined);
    return 'a new helper is starting in its place';
  }

  private track(stopped: Promise<unknown>): void {
    const settled: Promise<unknown> = stopped
      .catch(() => undefined)
      .then((): void => {
        this.stopping.delete(settled);
      });
    this.stopping.add(settled);
  }

  disable(): Promise<void> {
    const current = this.pool;
    if (current !== null) {
      this.pool = null;
      const front = getGemmExecutor();
      if (front === current) setGemmExecutor(null);
      else if (front?.behind === current) front.behind = null;
      for (const h of current.helpers) if (h) this.track(stopHelper(h));
    }
    return Promise.all([...this.stopping]).then(() => undefined);
  }

  count(): number {
    return 1 + (this.pool?.ready().length ?? 0);
  }
}
