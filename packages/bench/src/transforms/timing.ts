/** Interleaved timing for the transform benchmarks: every variant runs in every round, medians over all rounds. */
import { performance } from 'node:perf_hooks';
import { median } from '../measure.js';

/** One way of computing something, timed against the others. */
export interface Variant {
  readonly name: string;
  /** One iteration; returns a number so that the work cannot be optimised away. */
  readonly run: () => number;
}

/** A variant's median seconds per iteration. */
export interface VariantTiming {
  readonly name: string;
  readonly median: number;
  readonly iterations: number;
}

/**
 * Warms each variant up, then runs `rounds` rounds, each timing every variant for a few iterations in turn (the
 * order rotating), so load that comes and goes falls on all of them.
 */
export function timeInterleaved(variants: readonly Variant[], rounds: number, perRound = 3): VariantTiming[] {
  let sink = 0;
  for (const v of variants) for (let i = 0; i < 2; i++) sink += v.run();
  const times = variants.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const at = (k + r) % variants.length;
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        sink += variants[at].run();
        times[at].push((performance.now() - t0) / 1e3);
      }
    }
  }
  if (Number.isNaN(sink)) console.log('(a variant returned NaN)');
  return variants.map((v, k) => ({ name: v.name, median: median(times[k].sort((a, b) => a - b)), iterations: times[k].length }));
}

/** A ratio as `1.23x`. */
export function formatRatio(r: number): string {
  return `${r.toFixed(2)}x`;
}

/** JS heap plus typed-array storage (which lives outside the JS heap), in bytes. */
export function liveBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
