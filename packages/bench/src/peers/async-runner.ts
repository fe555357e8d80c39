/**
 * Runners whose iterations are asynchronous (a GPU's queue: the work is queued by the call, and done once its
 * result has been read back): warmed up here and timed through `remote`, each iteration until its promise settles.
 */
import { timeIterations } from '../measure.js';
import type { Runner } from './peer.js';

/** Warms `step` up `warmup` times (the first value is the one the peers must agree on) and returns its runner. */
export async function asyncRunner(step: () => Promise<number>, warmup: number, dispose?: () => void): Promise<Runner> {
  const firstValue = await step();
  for (let i = 1; i < warmup; i++) await step();
  return {
    step() {
      throw new Error('an asynchronous runner is timed through `remote`');
    },
    remote: { firstValue, timeSlice: (budget) => timeIterations(step, budget) },
    dispose,
  };
}
