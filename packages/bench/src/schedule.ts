/**
 * How a case's timing is shared out between the peers. Each peer runs in its own process, and the machines are
 * shared and noisy: timing one peer for four seconds and then the next lets a change in the background load
 * fall on one peer only. So every case is timed in rounds, each peer taking a slice of its budget in turn (the
 * order rotating from round to round), and each peer's median is taken over all its slices.
 */
import type { TimingBudget } from './cases.js';

/** Rounds a case's budget is spread over (more follow only for a peer that has not yet met its budget). */
export const ROUNDS = 4;

/** What one slice of timing asks for: at least `minIterations` and `minSeconds`, at most `maxIterations`. */
export interface SliceBudget {
  readonly minIterations: number;
  readonly minSeconds: number;
  readonly maxIterations: number;
}

/** What a peer has timed so far on the case. */
export interface Progress {
  readonly iterations: number;
  readonly seconds: number;
}

/** The slice a peer times in round `round` (from 0), or null once its budget is met. */
export function nextSlice(budget: TimingBudget, done: Progress, round: number): SliceBudget | null {
  if (done.iterations >= budget.maxIterations) return null;
  if (done.iterations >= budget.minIterations && done.seconds >= budget.minSeconds) return null;
  // What is left, spread evenly over the rounds that are left; past the last round, all of it at once.
  const roundsLeft = Math.max(1, ROUNDS - round);
  return {
    minIterations: Math.max(1, Math.ceil((budget.minIterations - done.iterations) / roundsLeft)),
    minSeconds: Math.max(0, budget.minSeconds - done.seconds) / roundsLeft,
    maxIterations: budget.maxIterations - done.iterations,
  };
}

/** The peers in the order they take round `round`: rotated by one each round, so none is always first. */
export function roundOrder<T>(peers: readonly T[], round: number): T[] {
  if (peers.length === 0) return [];
  const shift = round % peers.length;
  return [...peers.slice(shift), ...peers.slice(0, shift)];
}
