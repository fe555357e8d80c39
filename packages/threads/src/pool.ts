/**
 * The parallel executor: cuts a product into shares (split.ts), stages each helper's operands in one shared data
 * buffer, posts the helpers their tasks, computes the calling thread's share meanwhile, then waits until every
 * helper is done and copies their parts of C out. It knows nothing of how helpers are made (Node worker_threads or
 * Web Workers): a {@link Helper} is a control block plus two platform functions.
 *
 * Operands are copied in and results out, because the caller's tensors live on ordinary ArrayBuffers a helper
 * cannot see: O(mk + kn + mn) copying against O(mnk) arithmetic, which is why small products are declined.
 */
import { TapegradError, getKernelBackend, type GemmCall, type GemmExecutor, type GemmKernel, type TypedArray } from '@tapegrad/core';
import { BACKENDS, type BufferMessage, ERROR_BYTES_AT, KINDS, type KindArray, Slot, kindOf, viewsOf } from './protocol.js';
import { type Share, contiguousA, contiguousB, planShares, scatterBlock, stageA, stageB } from './split.js';

/**
 * A helper thread failed: it could not start, or its kernel threw. The message names the helper and the cause.
 * @example try { x.matmul(w); } catch (e) { if (e instanceof ThreadsError) console.error(e.message); }
 */
export class ThreadsError extends TapegradError {}

/**
 * A helper thread died or stopped answering in the middle of its share of a product: the product is abandoned with
 * this error (naming the product, the helper and the rows or columns it held) once `helperTimeout` has passed, the
 * helper is stopped, and the pool starts a new one in its place. Catch it to retry the step.
 * @example try { loss = step(); } catch (e) { if (e instanceof WorkerLostError) loss = step(); else throw e; }
 */
export class WorkerLostError extends ThreadsError {
  constructor(
    message: string,
    /** The lost helper's number (1 for the first helper). */
    readonly helper: number,
  ) {
    super(message);
  }
}

/** What the platform provides for one helper: the only parts of a helper that differ between Node and a browser. */
export interface HelperLink {
  /** Hands the helper a new data buffer; called before the task that first uses it is posted. */
  readonly send: (message: BufferMessage) => void;
  /** Ends the helper (it has been told to stop already); resolves once it is gone. */
  readonly terminate: () => Promise<unknown>;
}

/** One helper thread as the calling thread sees it. */
export interface Helper extends HelperLink {
  readonly index: number;
  readonly ctrl: Int32Array;
  /** The data buffer generation this helper has been sent. */
  generation: number;
  /** False once the helper has exited or failed: it gets no more tasks. */
  alive: boolean;
}

/** How a pool works, besides its helpers. */
export interface PoolOptions {
  /** Products with fewer multiply-adds than this stay on the calling thread. */
  readonly minWork: number;
  /**
   * Whether the calling thread may block in Atomics.wait. A browser page's main thread may not (it throws there);
   * it polls for its helpers instead, which is short since only products above minWork are shared.
   */
  readonly canWait: boolean;
  /** Milliseconds a helper may take beyond the calling thread's own share before it counts as lost. */
  readonly helperTimeout: number;
  /**
   * Told of a helper lost mid-product (after it has been marked dead and told to stop), to replace it; returns what
   * became of it, for the error message ("a new helper is starting").
   */
  readonly onLost: (helper: Helper) => string;
}

/**
 * A helper's share is the size of the calling thread's own, so it should end about when the calling thread's does;
 * it is given helperTimeout on top, plus this many times what the calling thread's share took (helpers may share a
 * core with each other or with other processes, and run several times slower).
 */
const SLOWDOWN_ALLOWED = 10;
/** While waiting for a helper, the calling thread looks at the clock at least this often. */
const WAIT_SLICE_MS = 50;

/**
 * Before sleeping in Atomics.wait, poll this long for a helper to finish: it usually finishes about when the calling
 * thread does, and a wake-up from Atomics.wait costs tens of microseconds. Kept short, because a polling calling
 * thread can hold the very core a preempted helper is waiting for (see helper-loop.ts).
 */
const SPIN_MS = 0.1;
/** Offsets in the data buffer are multiples of 16 elements (64 bytes or more): no two threads write one cache line. */
const align = (elements: number): number => (elements + 15) & ~15;

interface Posted {
  readonly helper: Helper;
  readonly share: Share;
  readonly seq: number;
  readonly cAt: number;
}

export class ThreadPool implements GemmExecutor {
  private buffer: SharedArrayBuffer | null = null;
  private generation = 0;
  private views: KindArray[] = [];
  private scratch: KindArray[] = [];
  private seq = 0;

  /** @param helpers The helpers, by slot (helper i in slot i - 1): a lost helper's slot gets its replacement. */
  constructor(
    readonly helpers: Array<Helper | undefined>,
    private readonly options: PoolOptions,
  ) {}

  get minWork(): number {
    return this.options.minWork;
  }

  /** Helpers that have loaded the kernels and are still alive: the ones a task may go to. */
  ready(): Helper[] {
    // (A slot stays empty when its helper could not even be created.)
    return this.helpers.filter((h): h is Helper => h !== undefined && h.alive && Atomics.load(h.ctrl, Slot.Ready) === 1);
  }

  /** The calling thread and the helpers ready now: what an executor in front (native OpenBLAS) runs a product on. */
  threads(): number {
    return 1 + this.ready().length;
  }

  /** How many tasks each helper has run itself (tasks taken back by the calling thread do not count). */
  helperTasks(): number[] {
    return this.helpers.map((h) => (h ? Atomics.load(h.ctrl, Slot.Tasks) : 0));
  }

  gemm(...call: GemmCall): boolean {
    const [A, ao, B, bo, C, co, m, n, k, tA, tB, kernel] = call;
    if (m * n * k < this.options.minWork) return false;
    const helpers = this.ready();
    if (helpers.length === 0) return false;
    const shares = planShares(m, n, helpers.length + 1);
    if (shares.length < 2) return false;
    const byRows = shares[0].i1 < m;
    const kind = kindOf(C);

    // Layout: the operand every share reads whole (op(B) for bands of rows, op(A) for bands of columns), then per
    // helper its band of the other operand and its part of C.
    let size = 0;
    const place = (length: number): number => {
      const at = size;
      size = align(size + length);
      return at;
    };
    const wholeAt = place(byRows ? k * n : m * k);
    const layout = shares
      .slice(1)
      .map((s) => ({ s, ownAt: place(byRows ? (s.i1 - s.i0) * k : (s.j1 - s.j0) * k), cAt: place((s.i1 - s.i0) * (s.j1 - s.j0)) }));
    const view = this.dataView(kind, size);
    if (byRows) view.set(B.subarray(bo, bo + k * n), wholeAt);
    else view.set(A.subarray(ao, ao + m * k), wholeAt);

    const posted: Posted[] = [];
    const backend = BACKENDS.indexOf(getKernelBackend());
    layout.forEach(({ s, ownAt, cAt }, t) => {
      // Staged and posted one helper at a time, so the first starts while the next one's band is copied.
      if (byRows) stageA(A, ao, m, k, tA, s, view, ownAt);
      else stageB(B, bo, k, n, tB, s, view, ownAt);
      const helper = helpers[t];
      posted.push({
        helper,
        share: s,
        seq: this.post(helper, kind, backend, s.i1 - s.i0, s.j1 - s.j0, k, tA, tB, byRows ? ownAt : wholeAt, byRows ? wholeAt : ownAt, cAt),
        cAt,
      });
    });

    // The calling thread's share meanwhile, straight from the caller's arrays where its band is contiguous there.
    let failure: unknown = null;
    const started = performance.now();
    try {
      this.runOwnShare(call, shares[0], kind);
    } catch (error) {
      failure = error;
    }
    const deadline = performance.now() + this.options.helperTimeout + SLOWDOWN_ALLOWED * (performance.now() - started);
    // Every helper is waited for even after a failure: none may still be writing the buffer when we return.
    for (const p of posted) {
      if (Atomics.compareExchange(p.helper.ctrl, Slot.Claim, p.seq, 0) === p.seq) {
        // Not started yet (its thread is asleep or descheduled): compute its share here, from the staged operands.
        if (failure === null) this.runTakenBack(view, p.helper.ctrl, kernel);
        continue;
      }
      if (!this.await(p.helper, p.seq, deadline)) {
        if (failure === null) failure = this.lose(p, m, n, k, kind);
        continue;
      }
      if (p.helper.ctrl[Slot.Status] !== 0 && failure === null)
        failure = new ThreadsError(`matmul: helper thread ${p.helper.index} failed: ${errorText(p.helper.ctrl)}`);
    }
    if (failure !== null) throw failure as unknown; // rethrown as it was caught
    for (const { share: s, cAt } of posted) scatterBlock(view, cAt, s.i1 - s.i0, s.j1 - s.j0, C, co + s.i0 * n + s.j0, n);
    return true;
  }

  /** The shared data buffer as an array of `kind`, grown (and re-sent to helpers lazily) to hold `elements`. */
  private dataView(kind: number, elements: number): KindArray {
    const bytes = elements * KINDS[kind].BYTES_PER_ELEMENT;
    if (this.buffer === null || this.buffer.byteLength < bytes) {
      // Grow geometrically, in whole 64 KiB pages, so a training loop settles on one buffer after a few steps.
      const capacity = Math.max(bytes, 2 * (this.buffer?.byteLength ?? 0));
      this.buffer = new SharedArrayBuffer(Math.ceil(capacity / 65536) * 65536);
      this.generation++;
      this.views = viewsOf(this.buffer);
    }
    return this.views[kind];
  }

  private post(
    helper: Helper,
    kind: number,
    backend: number,
    m: number,
    n: number,
    k: number,
    tA: boolean,
    tB: boolean,
    aAt: number,
    bAt: number,
    cAt: number,
  ): number {
    const c = helper.ctrl;
    if (helper.generation !== this.generation) {
      const message: BufferMessage = { generation: this.generation, buffer: this.buffer as SharedArrayBuffer };
      helper.send(message);
      helper.generation = this.generation;
    }
    c[Slot.Generation] = this.generation;
    c[Slot.Kind] = kind;
    c[Slot.Backend] = backend;
    c[Slot.M] = m;
    c[Slot.N] = n;
    c[Slot.K] = k;
    c[Slot.TransposeA] = tA ? 1 : 0;
    c[Slot.TransposeB] = tB ? 1 : 0;
    c[Slot.AOffset] = aAt;
    c[Slot.BOffset] = bAt;
    c[Slot.COffset] = cAt;
    c[Slot.Status] = 0;
    const seq = ++this.seq;
    c[Slot.Claim] = seq;
    // The atomic store publishes every write above (and the staged operands) to the helper that reads Seq.
    Atomics.store(c, Slot.Seq, seq);
    Atomics.notify(c, Slot.Seq);
    return seq;
  }

  /** Waits until the helper has finished task `seq` (true) or the deadline has passed (false). */
  private await(helper: Helper, seq: number, deadline: number): boolean {
    const until = performance.now() + SPIN_MS;
    for (let i = 1; ; i++) {
      const done = Atomics.load(helper.ctrl, Slot.Done);
      if (done === seq) return true;
      if ((i & 255) !== 0) continue;
      const now = performance.now();
      if (now > deadline) return Atomics.load(helper.ctrl, Slot.Done) === seq;
      if (this.options.canWait && now > until) Atomics.wait(helper.ctrl, Slot.Done, done, Math.min(WAIT_SLICE_MS, deadline - now));
    }
  }

  /**
   * A helper that has not finished its task by the deadline: it gets no more tasks and is told to stop, the data
   * buffer it may still write into is dropped (the next product gets a fresh one), and the controller replaces it.
   */
  private lose(p: Posted, m: number, n: number, k: number, kind: number): WorkerLostError {
    const { helper, share: s } = p;
    helper.alive = false;
    Atomics.store(helper.ctrl, Slot.Stop, 1);
    Atomics.notify(helper.ctrl, Slot.Seq);
    this.buffer = null;
    const next = this.options.onLost(helper);
    const part = s.i0 === 0 && s.i1 === m ? `columns ${s.j0}-${s.j1 - 1}` : `rows ${s.i0}-${s.i1 - 1}`;
    const dtype = ['float32', 'float64', 'int32'][kind];
    return new WorkerLostError(
      `matmul of [${m}, ${k}] by [${k}, ${n}] (${dtype}): helper thread ${helper.index} did not finish its share (${part} of the ` +
        `result) in time (helperTimeout ${this.options.helperTimeout} ms), so the product was abandoned; the helper was stopped ` +
        `and ${next}`,
      helper.index,
    );
  }

  /** Runs a task posted to a helper, as the helper would have, reading its parameters back from its control block. */
  private runTakenBack(view: KindArray, c: Int32Array, kernel: GemmKernel): void {
    const m = c[Slot.M];
    const n = c[Slot.N];
    const co = c[Slot.COffset];
    view.fill(0, co, co + m * n);
    kernel(view, c[Slot.AOffset], view, c[Slot.BOffset], view, co, m, n, c[Slot.K], c[Slot.TransposeA] === 1, c[Slot.TransposeB] === 1);
  }

  private runOwnShare(call: GemmCall, s: Share, kind: number): void {
    const [A, ao, B, bo, C, co, m, n, k, tA, tB, kernel] = call;
    const rows = s.i1 - s.i0;
    const cols = s.j1 - s.j0;
    let aAt = contiguousA(ao, m, k, tA, s);
    let bAt = contiguousB(bo, k, n, tB, s);
    // C's band is contiguous when it is whole rows (or C is a single row).
    const cDirect = cols === n || m === 1;
    const need = (aAt === null ? align(rows * k) : 0) + (bAt === null ? align(k * cols) : 0) + (cDirect ? 0 : rows * cols);
    const scratch = need > 0 ? this.scratchOf(kind, need) : null;
    let at = 0;
    let a: TypedArray = A;
    let b: TypedArray = B;
    if (aAt === null) {
      stageA(A, ao, m, k, tA, s, scratch as KindArray, at);
      [a, aAt, at] = [scratch as KindArray, at, align(at + rows * k)];
    }
    if (bAt === null) {
      stageB(B, bo, k, n, tB, s, scratch as KindArray, at);
      [b, bAt, at] = [scratch as KindArray, at, align(at + k * cols)];
    }
    if (cDirect) {
      kernel(a, aAt, b, bAt, C, co + s.i0 * n + s.j0, rows, cols, k, tA, tB);
      return;
    }
    const out = scratch as KindArray;
    out.fill(0, at, at + rows * cols);
    kernel(a, aAt, b, bAt, out, at, rows, cols, k, tA, tB);
    scatterBlock(out, at, rows, cols, C, co + s.i0 * n + s.j0, n);
  }

  /** The calling thread's own staging area (an ordinary array: no helper reads it). */
  private scratchOf(kind: number, elements: number): KindArray {
    if (!this.scratch[kind] || this.scratch[kind].length < elements)
      this.scratch[kind] = new KINDS[kind](Math.max(elements, 2 * (this.scratch[kind]?.length ?? 0)));
    return this.scratch[kind];
  }
}

function errorText(ctrl: Int32Array): string {
  const bytes = new Uint8Array(ctrl.buffer, ERROR_BYTES_AT, ctrl[Slot.ErrorLength]);
  // TextDecoder refuses views on shared memory: decode a private copy.
  return new TextDecoder().decode(bytes.slice());
}
