/** What a benchmarked implementation provides: one runner per case it supports. */
import type { BenchCase, WorkloadId } from '../cases.js';
import type { Slice } from '../measure.js';
import type { SliceBudget } from '../schedule.js';

/** One prepared case: `step` runs a full iteration and returns a value the peers must agree on (e.g. the loss). */
export interface Runner {
  step(): number;
  dispose?(): void;
  /**
   * Set when the iterations run in another process that times them itself (PyTorch in Python), or asynchronously (a
   * GPU's queue, read back with a promise): the harness asks it for whole slices, so the pipe between the processes
   * never falls inside a timed iteration, and never calls step.
   */
  readonly remote?: RemoteRunner;
}

/** A case prepared and warmed up in another process. */
export interface RemoteRunner {
  /** The first (un-warmed) iteration's value. */
  readonly firstValue: number;
  timeSlice(budget: SliceBudget): Promise<Slice>;
}

/**
 * A peer's runner for every workload, by workload: what `prepare` of a peer that runs them all looks up, so the
 * compiler names a workload such a peer is missing.
 */
export type WorkloadRunners = { readonly [W in WorkloadId]: (c: BenchCase) => Runner | Promise<Runner> };

export interface Peer {
  /** Stable id used on the command line and in the JSON, e.g. 'tfjs-wasm-1'. */
  readonly id: string;
  /** The column heading in the table. */
  readonly label: string;
  /** Sets the peer up; returns a note about its configuration (backend, threads, SIMD) for the report. */
  init(): string | Promise<string>;
  supports(c: BenchCase): boolean;
  /** True when the peer is known to be orders of magnitude slower on this case: its timing is capped. */
  isSlowOn?(c: BenchCase): boolean;
  /** Builds the case's inputs and starting parameters; asynchronous when they are loaded (the MNIST digits). */
  prepare(c: BenchCase): Runner | Promise<Runner>;
  /** As `prepare`, for the memory check: the same step with no cleanup call of any kind (no tidy, no dispose). */
  prepareWithoutCleanup?(c: BenchCase): Runner | Promise<Runner>;
  /** Stops what init started outside this process (PyTorch's Python); a peer's process otherwise just exits. */
  close?(): void;
}
