/** Times one prepared case: warm-up, then slices of repeated iterations with per-iteration wall time and GC time. */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { SliceBudget } from './schedule.js';
import type { Runner } from './peers/peer.js';

export interface Timing {
  /** The value the first (un-warmed) iteration returned: the step-1 loss the peers must agree on. */
  readonly firstValue: number;
  readonly iterations: number;
  /** Seconds per iteration. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Share of the timed iterations' wall time spent in garbage collection. */
  readonly gcFraction: number;
}

/** The middle of an ascending list (mean of the two middles for an even length). */
export function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Node delivers 'gc' performance entries from a task, not synchronously: yielding to the event loop between
// (outside) timed iterations lets them arrive.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the first iteration, whose value the peers must agree on, then the rest of the warm-up; returns that value. */
export function warmUp(runner: Runner, warmup: number): number {
  const firstValue = runner.step();
  for (let i = 1; i < warmup; i++) runner.step();
  return firstValue;
}

/** One slice of timed iterations: seconds per iteration, and the garbage-collection time that fell inside them. */
export interface Slice {
  readonly samples: number[];
  readonly gcMs: number;
}

/** Times iterations until the slice's budget is met (see schedule.ts). */
export function timeSlice(runner: Runner, budget: SliceBudget): Promise<Slice> {
  return timeIterations(() => runner.step(), budget);
}

/**
 * Times calls of `iterate` until the budget is met; an iteration that returns a promise is timed until it settles
 * (a GPU's work is queued by the call and done when its result has been read back).
 */
export async function timeIterations(iterate: () => unknown, budget: SliceBudget): Promise<Slice> {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const samples: number[] = [];
  // Sum of the timed iterations only (the event-loop turns between them are not counted).
  let elapsed = 0;
  while (samples.length < budget.maxIterations && (samples.length < budget.minIterations || elapsed < budget.minSeconds * 1e3)) {
    const t0 = performance.now();
    const result = iterate();
    if (result instanceof Promise) await result;
    const t1 = performance.now();
    samples.push((t1 - t0) / 1e3);
    elapsed += t1 - t0;
    await yieldToEventLoop();
  }
  await yieldToEventLoop();
  for (const entry of observer.takeRecords()) gcMs += entry.duration;
  observer.disconnect();
  return { samples, gcMs };
}

/** A peer's timing of a case from all its slices. */
export function summarize(firstValue: number, slices: readonly Slice[]): Timing {
  const samples = slices.flatMap((s) => s.samples).sort((a, b) => a - b);
  const elapsedMs = samples.reduce((sum, t) => sum + t, 0) * 1e3;
  const gcMs = slices.reduce((sum, s) => sum + s.gcMs, 0);
  return {
    firstValue,
    iterations: samples.length,
    median: median(samples),
    min: samples[0],
    max: samples[samples.length - 1],
    gcFraction: elapsedMs > 0 ? gcMs / elapsedMs : 0,
  };
}

export interface MemoryDrift {
  readonly steps: number;
  /** After a full GC, in MiB: at the first checkpoint (after warm-up) and at the end. */
  readonly heapStartMiB: number;
  readonly heapEndMiB: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * Runs `steps` iterations with no cleanup call of any kind and compares heap and RSS after a forced GC at the
 * start (past warm-up) and the end. Needs `--expose-gc` (the bench gives it to every peer process).
 */
export function measureMemory(runner: Runner, steps: number): MemoryDrift {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory drift needs node --expose-gc');
  // The first tenth warms up (JIT, wasm memory growth, allocator pools) before the baseline is taken.
  const warmup = Math.floor(steps / 10);
  for (let i = 0; i < warmup; i++) runner.step();
  gc();
  const start = process.memoryUsage();
  for (let i = warmup; i < steps; i++) runner.step();
  gc();
  const end = process.memoryUsage();
  return { steps, heapStartMiB: mib(start.heapUsed), heapEndMiB: mib(end.heapUsed), rssStartMiB: mib(start.rss), rssEndMiB: mib(end.rss) };
}
