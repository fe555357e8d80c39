/**
 * Global switches of the engine: grad mode (is the tape recording?), anomaly detection, and the tape's
 * sequence counter. Plain values only: nothing here holds on to nodes.
 */
import { GradError } from '../errors.js';
import { shared } from '../shared.js';

// One object for every copy of the library loaded in the process (shared.ts): noGrad in one applies in all.
export const mode = shared('mode', () => ({
  /** Ops are recorded only while this is true (and some input requires grad). */
  grad: true,
  /** When true, every op's forward and backward output is checked for NaN and Infinity. */
  anomaly: false,
  /** The sequence number the next recorded op gets: its position on the tape. */
  nextSeq: 1,
  /**
   * The value `nextSeq` had at the latest in-place mutation of any node. Entries recorded after it cannot
   * have seen a saved value change, so the sweep skips their version check.
   */
  lastMutationSeq: 0,
  /** How many Tensors were made so far: a gradient made after a sweep began is the sweep's own (node-math.ts). */
  tensorsMade: 0,
  /** The tape entry whose backward rule is running, so anomalies inside it are blamed on it. */
  backwardOf: null as { readonly op: { readonly name: string } } | null,
}));

function withMode<T>(key: 'grad' | 'anomaly', value: boolean, fn: () => T, caller: string): T {
  const prev = mode[key];
  mode[key] = value;
  try {
    const result = fn();
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      throw new GradError(`${caller} takes a synchronous function; the mode would end before an awaited part runs`);
    }
    return result;
  } finally {
    mode[key] = prev;
  }
}

/**
 * Runs `fn` with recording off: nothing inside is put on the tape and results do not require grad.
 * @example
 * const y = noGrad(() => w.mul(x));   // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  return withMode('grad', false, fn, 'noGrad');
}

/** Runs `fn` with recording on, even inside `noGrad` (what the functional `grad` uses). */
export function enableGrad<T>(fn: () => T): T {
  return withMode('grad', true, fn, 'enableGrad');
}

/** Whether ops are being recorded right now. */
export function isGradEnabled(): boolean {
  return mode.grad;
}

/** Turns recording on or off until changed again; prefer `noGrad(() => ...)`, which restores the mode. */
export function setGradEnabled(enabled: boolean): void {
  mode.grad = enabled;
}

/**
 * Runs `fn` in anomaly mode: the first op whose forward or backward produces NaN or Infinity throws an
 * AnomalyError that names it (and, for backward, where its forward was called).
 * @example
 * detectAnomaly(() => x.log().sum().backward());   // AnomalyError: log forward produced -Infinity ...
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withMode('anomaly', true, fn, 'detectAnomaly');
}

/** Turns anomaly mode on or off globally (for a whole test file or training run). */
export function setAnomalyDetection(enabled: boolean): void {
  mode.anomaly = enabled;
}
