/** What a benchmarked implementation provides: one runner per case it supports. */
import type { BenchCase } from '../cases.js';

/** One prepared case: `step` runs a full iteration and returns a value the peers must agree on (e.g. the loss). */
export interface Runner {
  step(): number;
  dispose?(): void;
}

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
}
