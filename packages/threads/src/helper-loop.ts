/**
 * A helper's side of the protocol, shared by the Node helper (worker.ts) and the browser one (browser-worker.ts):
 * wait on the control block for a task, run the core's single-thread kernel on its share of the product (operands
 * already staged in the shared data buffer), signal completion. Between tasks it blocks in Atomics.wait, so it
 * does not run its event loop; the only platform difference is how a new data buffer reaches it (`poll`).
 */
import { getKernelBackend, gemmSingleThread, setKernelBackend } from '@tapegrad/core';
import { BACKENDS, type BufferMessage, ERROR_BYTES, ERROR_BYTES_AT, type KindArray, Slot, viewsOf } from './protocol.js';

/**
 * After a task, poll for the next one this long before sleeping: the products of a backward pass follow each other
 * within microseconds, and waking a thread from Atomics.wait costs tens of microseconds (more on a virtual machine,
 * whose idle virtual CPU has to be woken too). Longer polls were measured to hurt, most when another process
 * competes for the cores (the poll takes CPU time from the calling thread's elementwise work): W1 with 2 threads
 * against 1 was 1.03x (idle machine) and 0.64x (busy) polling 1 ms, 1.19x and 0.86x polling 0.1 ms.
 */
const SPIN_MS = 0.1;

/** Why {@link HelperLoop.run} returned. */
export type LoopExit = 'stop' | 'needs-buffer';

export class HelperLoop {
  private readonly errorBytes: Uint8Array;
  private generation = 0;
  private views: KindArray[] = [];
  private seen = 0;

  /**
   * @param poll Takes the next buffer message off the helper's port without blocking, if the platform can (Node's
   * receiveMessageOnPort). Without it, a task that needs a buffer not yet received ends {@link run}, so the helper
   * can return to its event loop, where the buffer message arrives ({@link accept}).
   */
  constructor(
    private readonly ctrl: Int32Array,
    private readonly poll?: () => BufferMessage | undefined,
  ) {
    this.errorBytes = new Uint8Array(ctrl.buffer, ERROR_BYTES_AT, ERROR_BYTES);
  }

  /** Sets the Ready flag, which the calling thread checks between products (its event loop may be busy for long). */
  announceReady(): void {
    Atomics.store(this.ctrl, Slot.Ready, 1);
  }

  /** A new data buffer. */
  accept(message: BufferMessage): void {
    this.generation = message.generation;
    this.views = viewsOf(message.buffer);
  }

  /** Serves tasks until told to stop, or (without `poll`) until a task needs a buffer that has not arrived yet. */
  run(): LoopExit {
    const ctrl = this.ctrl;
    for (;;) {
      this.waitForTask();
      const seq = Atomics.load(ctrl, Slot.Seq);
      if (Atomics.load(ctrl, Slot.Stop) === 1) return 'stop';
      if (seq === this.seen) continue;
      // The buffer is fetched before the task is claimed, not after: a helper that has to leave the loop for it
      // leaves the task unclaimed, so the calling thread can take it back and never waits on an event loop.
      if (!this.hasBuffer(ctrl[Slot.Generation])) return 'needs-buffer';
      this.seen = seq;
      // Taken back by the calling thread (it found the task unclaimed): nothing to do, and nobody waits for Done.
      if (Atomics.compareExchange(ctrl, Slot.Claim, seq, -seq) !== seq) continue;
      let status = 0;
      try {
        this.runTask();
        Atomics.add(ctrl, Slot.Tasks, 1);
      } catch (error) {
        this.reportError(error);
        status = 1;
      }
      ctrl[Slot.Status] = status;
      Atomics.store(ctrl, Slot.Done, seq);
      Atomics.notify(ctrl, Slot.Done);
    }
  }

  private hasBuffer(wanted: number): boolean {
    while (this.generation !== wanted) {
      if (this.poll === undefined) return false;
      // Posted before the task, so it is on the port already or about to be.
      const message = this.poll();
      if (message !== undefined) this.accept(message);
    }
    return true;
  }

  private waitForTask(): void {
    const until = performance.now() + SPIN_MS;
    for (let i = 1; Atomics.load(this.ctrl, Slot.Seq) === this.seen; i++) {
      if ((i & 255) === 0 && performance.now() > until) {
        Atomics.wait(this.ctrl, Slot.Seq, this.seen);
        return;
      }
    }
  }

  private runTask(): void {
    const ctrl = this.ctrl;
    const backend = BACKENDS[ctrl[Slot.Backend]];
    // The calling thread's backend choice applies to its helpers too, so every share runs the same kernel.
    if (getKernelBackend() !== backend) setKernelBackend(backend);
    const data = this.views[ctrl[Slot.Kind]];
    const m = ctrl[Slot.M];
    const n = ctrl[Slot.N];
    const co = ctrl[Slot.COffset];
    // The kernels accumulate into C, and the buffer is reused between tasks.
    data.fill(0, co, co + m * n);
    gemmSingleThread(
      data,
      ctrl[Slot.AOffset],
      data,
      ctrl[Slot.BOffset],
      data,
      co,
      m,
      n,
      ctrl[Slot.K],
      ctrl[Slot.TransposeA] === 1,
      ctrl[Slot.TransposeB] === 1,
    );
  }

  private reportError(error: unknown): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const { written } = new TextEncoder().encodeInto(text, this.errorBytes);
    this.ctrl[Slot.ErrorLength] = written;
  }
}
