/** The benchmark cases: what each one computes, how its speed is expressed, and how long it is timed. */

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4';

export interface TimingBudget {
  /** Untimed iterations first, so every peer is measured after its JIT and caches have warmed up. */
  readonly warmup: number;
  readonly minIterations: number;
  /** Keep timing until both this and minIterations are reached (or maxIterations). */
  readonly minSeconds: number;
  readonly maxIterations: number;
}

export interface BenchCase {
  readonly id: string;
  readonly workload: WorkloadId;
  readonly title: string;
  /** The figure the table shows; 'ms' figures are lower-is-better, rates higher-is-better. */
  readonly unit: 'ms/step' | 'ms/iter' | 'GFLOP/s' | 'M nodes/s';
  /** Work per iteration in the unit's numerator (FLOPs for GFLOP/s, nodes for M nodes/s), if a rate. */
  readonly workPerIteration?: number;
  readonly budget: TimingBudget;
  /** Relative tolerance for the agreement check on the first iteration's value. */
  readonly rtol: number;
}

const STANDARD: TimingBudget = { warmup: 5, minIterations: 20, minSeconds: 4, maxIterations: 500 };
const QUICK: TimingBudget = { warmup: 2, minIterations: 5, minSeconds: 1, maxIterations: 100 };
// TF.js runs the scalar MLP at ~0.02 M nodes/s (seconds per iteration): a few iterations say enough.
const SLOW_PEER_CAP = 6;

/** W3's node count is measured by the reference implementation and filled in before the run. */
export function benchCases(quick: boolean, scalarMlpNodes: number): BenchCase[] {
  const budget = quick ? QUICK : STANDARD;
  return [
    { id: 'W1', workload: 'W1', title: 'W1 MLP 784-256-128-10 ReLU, batch 128, softmax-CE, SGD step, float32', unit: 'ms/step', budget, rtol: 1e-4 },
    { id: 'W1-f64', workload: 'W1', title: 'W1 in float64 (compared with the peers\' float32)', unit: 'ms/step', budget, rtol: 1e-4 },
    ...[256, 512, 1024].map((n): BenchCase => ({
      id: `W2-${n}`, workload: 'W2', title: `W2 square float32 matmul, n=${n}`, unit: 'GFLOP/s', workPerIteration: 2 * n ** 3, budget, rtol: 1e-3,
    })),
    {
      id: 'W3', workload: 'W3', title: `W3 micrograd-style scalar MLP 2-16-16-1 tanh, 100 samples, forward+backward (${scalarMlpNodes} nodes)`,
      unit: 'M nodes/s', workPerIteration: scalarMlpNodes, budget, rtol: 1e-4,
    },
    { id: 'W4', workload: 'W4', title: 'W4 y = sum(tanh(x*w+b)) on 1e6 float32, grads of w, b', unit: 'ms/iter', budget, rtol: 1e-4 },
  ];
}

/** Caps the iterations of a peer known to be orders of magnitude slower on a case. */
export function budgetFor(c: BenchCase, slowPeer: boolean): TimingBudget {
  if (!slowPeer) return c.budget;
  return { warmup: 1, minIterations: Math.min(3, c.budget.minIterations), minSeconds: 0, maxIterations: SLOW_PEER_CAP };
}

/** Converts seconds per iteration into the case's unit. */
export function toUnit(c: BenchCase, seconds: number): number {
  if (c.unit === 'ms/step' || c.unit === 'ms/iter') return seconds * 1e3;
  const work = c.workPerIteration ?? 0;
  return c.unit === 'GFLOP/s' ? work / seconds / 1e9 : work / seconds / 1e6;
}

/** True for time-per-iteration units, false for rates. */
export function lowerIsBetter(c: BenchCase): boolean {
  return c.unit === 'ms/step' || c.unit === 'ms/iter';
}
