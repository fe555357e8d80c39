/**
 * What the calling thread and a helper share: one small Int32Array control block per helper (on its own
 * SharedArrayBuffer), read and written with Atomics, plus one data buffer for operands and results.
 *
 * A task is posted by writing its parameters and then bumping SEQ (Atomics.store + notify); the helper wakes on
 * SEQ, runs the kernel, writes STATUS and stores the same number into DONE (+ notify). Sequence numbers rather
 * than a state flag, so neither side ever has to reset anything and a late wake-up cannot be mistaken for a task.
 *
 * Before it runs a task the helper claims it: compareExchange(CLAIM, seq, -seq). The calling thread, once its own
 * share is done, tries to take unclaimed tasks back with compareExchange(CLAIM, seq, 0) and computes them itself.
 * On a machine where another process holds a core, a helper may not be scheduled for milliseconds; taking its
 * task back bounds the loss to the copies. The claim names the task, so a helper that wakes late cannot claim a
 * newer task under an older number.
 */

/** Slots of the control block (Int32Array indices). */
export const Slot = {
  /** 1 once the helper has loaded the kernels and waits for tasks. */
  Ready: 0,
  /** Bumped by the calling thread to post a task. */
  Seq: 1,
  /** Set by the helper to the Seq it has finished. */
  Done: 2,
  /** 0 when the last task succeeded, 1 when its kernel threw (the message follows in the error bytes). */
  Status: 3,
  /** 1 asks the helper to leave its loop at the next wake-up. */
  Stop: 4,
  /** Generation of the data buffer the task refers to; the helper fetches a newer buffer from its port. */
  Generation: 5,
  Kind: 6,
  Backend: 7,
  M: 8,
  N: 9,
  K: 10,
  TransposeA: 11,
  TransposeB: 12,
  /** Element offsets (in units of Kind) of the staged A, B and C share in the data buffer. */
  AOffset: 13,
  BOffset: 14,
  COffset: 15,
  /** Byte length of the UTF-8 error message stored from ERROR_BYTES_AT. */
  ErrorLength: 16,
  /** seq while the task is unclaimed, -seq once the helper has claimed it, 0 once the calling thread took it back. */
  Claim: 17,
  /** How many tasks the helper has run itself (not taken back): what the tests read to see that it really worked. */
  Tasks: 18,
} as const;

export const CONTROL_SLOTS = 32;
/** Where the error message bytes start in the control buffer, and how many fit. */
export const ERROR_BYTES_AT = CONTROL_SLOTS * 4;
export const ERROR_BYTES = 1024;
export const CONTROL_BYTES = ERROR_BYTES_AT + ERROR_BYTES;

/** Element kinds, in the order of KINDS. */
export const KINDS = [Float32Array, Float64Array, Int32Array] as const;
export type KindArray = Float32Array | Float64Array | Int32Array;

/** Views of one shared buffer as each kind, indexed by kind. */
export function viewsOf(buffer: SharedArrayBuffer): KindArray[] {
  return [new Float32Array(buffer), new Float64Array(buffer), new Int32Array(buffer)];
}

export function kindOf(array: KindArray): number {
  return array instanceof Float32Array ? 0 : array instanceof Float64Array ? 1 : 2;
}

/** Kernel backends, as setKernelBackend names them, in the order the Backend slot encodes them. */
export const BACKENDS = ['auto', 'wasm', 'wasm-relaxed', 'js'] as const;

/**
 * The message that hands a helper a new data buffer, posted before the first task that uses it (in Node on the
 * helper's port, read with receiveMessageOnPort; in a browser to the Web Worker itself, see helper-loop.ts).
 */
export interface BufferMessage {
  readonly generation: number;
  readonly buffer: SharedArrayBuffer;
}
