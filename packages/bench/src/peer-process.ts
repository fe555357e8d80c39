/**
 * Each peer runs in a Node process of its own, so one library's JIT state, heap and thread pool never colour
 * another's timings. The processes live for the whole run and time what the parent asks, one request at a
 * time, so that the parent can take every case in rounds across the peers (schedule.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { BenchCase } from './cases.js';
import { type MemoryDrift, type Slice, measureMemory, timeSlice, warmUp } from './measure.js';
import type { Peer, Runner } from './peers/peer.js';
import type { SliceBudget } from './schedule.js';
import { budgetFor } from './cases.js';

/** What the parent asks of a peer's process. */
export type Request =
  | { readonly op: 'prepare'; readonly caseId: string }
  | { readonly op: 'time'; readonly slice: SliceBudget }
  | { readonly op: 'release' }
  | { readonly op: 'memory'; readonly caseId: string; readonly steps: number };

/** A process's answer: `ok: false` carries the error message. */
export type Reply =
  | {
      readonly ok: true;
      readonly supported?: boolean;
      readonly slow?: boolean;
      readonly firstValue?: number;
      readonly slice?: Slice;
      readonly memory?: MemoryDrift;
    }
  | { readonly ok: false; readonly error: string };

/** Sent once the peer is set up (or failed to be). */
export interface Ready {
  readonly label: string;
  readonly note: string;
  readonly failed: boolean;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Child side: sets the peer up, says so, then answers requests until the parent disconnects. */
export async function servePeer(load: () => Peer | Promise<Peer>, cases: readonly BenchCase[]): Promise<void> {
  let peer: Peer | null = null;
  let ready: Ready;
  try {
    peer = await load();
    ready = { label: peer.label, note: await peer.init(), failed: false };
  } catch (e) {
    ready = { label: peer?.label ?? 'unknown', note: `could not start: ${message(e)}`, failed: true };
  }
  process.send!(ready);
  let runner: Runner | null = null;
  const answer = async (req: Request): Promise<Reply> => {
    if (peer === null || ready.failed) return { ok: false, error: ready.note };
    switch (req.op) {
      case 'prepare': {
        runner?.dispose?.();
        runner = null;
        const c = cases.find((x) => x.id === req.caseId)!;
        if (!peer.supports(c)) return { ok: true, supported: false };
        const slow = peer.isSlowOn?.(c) ?? false;
        runner = await peer.prepare(c);
        const firstValue = runner.remote ? runner.remote.firstValue : warmUp(runner, budgetFor(c, slow).warmup);
        return { ok: true, supported: true, slow, firstValue };
      }
      case 'time':
        if (runner === null) return { ok: false, error: 'time: no case is prepared' };
        return { ok: true, slice: runner.remote ? await runner.remote.timeSlice(req.slice) : await timeSlice(runner, req.slice) };
      case 'release':
        runner?.dispose?.();
        runner = null;
        return { ok: true };
      case 'memory': {
        const c = cases.find((x) => x.id === req.caseId)!;
        return { ok: true, memory: measureMemory(await (peer.prepareWithoutCleanup ?? peer.prepare)(c), req.steps) };
      }
    }
  };
  // The parent sends one request at a time and waits for its reply, so requests never overlap.
  process.on('message', (req: Request) => {
    answer(req).then(
      (reply) => process.send!(reply),
      (e: unknown) => process.send!({ ok: false, error: message(e) } satisfies Reply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

const CHILD_TIMEOUT_MS = 30 * 60 * 1000;

/** Parent side: one peer's process. */
export class PeerProcess {
  private waiting: ((reply: Reply) => void) | null = null;

  private constructor(
    readonly id: string,
    private readonly child: ChildProcess,
    private exited: string | null = null,
  ) {
    child.on('message', (reply: Reply) => this.settle(reply));
    child.on('exit', (code, signal) => {
      this.exited = `process exited (${signal ?? `code ${code}`})`;
      this.settle({ ok: false, error: this.exited });
    });
  }

  /**
   * Starts the peer's process (`script` with `childArgs`, and this process's Node flags unless `nodeArgs` says
   * otherwise) and waits until it is set up.
   */
  static start(
    id: string,
    script: string,
    childArgs: readonly string[],
    nodeArgs: readonly string[] = process.execArgv,
  ): Promise<{ process: PeerProcess; ready: Ready }> {
    const child = fork(script, childArgs, {
      execArgv: [...nodeArgs, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      timeout: CHILD_TIMEOUT_MS,
    });
    return new Promise((resolve) => {
      const onFirst = (msg: Ready): void => {
        child.off('exit', onEarlyExit);
        resolve({ process: new PeerProcess(id, child), ready: msg });
      };
      const onEarlyExit = (code: number | null): void => {
        child.off('message', onFirst);
        const note = `process exited with code ${code} before reporting`;
        resolve({ process: new PeerProcess(id, child, note), ready: { label: id, note, failed: true } });
      };
      child.once('message', onFirst);
      child.once('exit', onEarlyExit);
    });
  }

  /** Sends one request and waits for its reply (an error reply if the process has died). */
  request(req: Request): Promise<Reply> {
    if (this.exited !== null) return Promise.resolve({ ok: false, error: this.exited });
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.send(req);
    });
  }

  /** Lets the process exit. */
  close(): void {
    if (this.exited === null && this.child.connected) this.child.disconnect();
  }

  private settle(reply: Reply): void {
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.(reply);
  }
}
