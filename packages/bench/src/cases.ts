/** The benchmark cases: what each one computes, how its speed is expressed, and how long it is timed. */

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6' | 'MNIST';

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
  readonly unit: 'ms/step' | 'ms/iter' | 'ms/epoch' | 'GFLOP/s' | 'M nodes/s';
  /** Work per iteration in the unit's numerator (FLOPs for GFLOP/s, nodes for M nodes/s), if a rate. */
  readonly workPerIteration?: number;
  readonly budget: TimingBudget;
  /** Relative tolerance for the agreement check on the first iteration's value. */
  readonly rtol: number;
  /** MNIST only: how many batches one iteration trains on (all of them, a whole epoch, unless quick). */
  readonly batches?: number;
}

/** W2's matrix size n, read from the case's id ('W2-512'). */
export function matmulSize(c: BenchCase): number {
  const n = Number(c.id.split('-')[1]);
  if (c.workload !== 'W2' || !Number.isInteger(n)) throw new Error(`matmulSize: '${c.id}' is not a W2-n case`);
  return n;
}

/** The main job's training set (10,000 digits less the 2,000 held out) in batches of 128: 62 full and one of 64. */
export const MNIST_TRAIN_DIGITS = 8000;
export const MNIST_BATCH = 128;
export const MNIST_EPOCH_BATCHES = Math.ceil(MNIST_TRAIN_DIGITS / MNIST_BATCH);
/** A quick run trains on the first few batches per iteration instead of the whole epoch. */
export const MNIST_QUICK_BATCHES = 8;

const STANDARD: TimingBudget = { warmup: 5, minIterations: 20, minSeconds: 4, maxIterations: 500 };
const QUICK: TimingBudget = { warmup: 2, minIterations: 5, minSeconds: 1, maxIterations: 100 };
// TF.js runs the scalar MLP at ~0.02 M nodes/s (seconds per iteration): a few iterations say enough.
const SLOW_PEER_CAP = 6;
// An iteration is a whole epoch (seconds): one warm-up epoch, then at least three timed ones.
const EPOCH: TimingBudget = { warmup: 1, minIterations: 3, minSeconds: 10, maxIterations: 10 };
const QUICK_EPOCH: TimingBudget = { warmup: 1, minIterations: 3, minSeconds: 1, maxIterations: 10 };

function mnistCase(quick: boolean): BenchCase {
  const model = "the main job's MLP 784-256-128-10 ReLU, softmax-CE, Adam lr 1e-3, float32";
  if (quick) {
    return {
      id: 'MNIST',
      workload: 'MNIST',
      unit: 'ms/iter',
      budget: QUICK_EPOCH,
      rtol: 1e-4,
      batches: MNIST_QUICK_BATCHES,
      title: `MNIST epoch, quick: only the first ${MNIST_QUICK_BATCHES} of ${MNIST_EPOCH_BATCHES} batches per iteration (${model}, batch ${MNIST_BATCH})`,
    };
  }
  return {
    id: 'MNIST',
    workload: 'MNIST',
    unit: 'ms/epoch',
    budget: EPOCH,
    rtol: 1e-4,
    batches: MNIST_EPOCH_BATCHES,
    title: `MNIST epoch: ${MNIST_TRAIN_DIGITS.toLocaleString('en-US')} training digits in ${MNIST_EPOCH_BATCHES} batches of ${MNIST_BATCH}, ${model}`,
  };
}

/** W3's node count is measured by the reference implementation and filled in before the run. */
export function benchCases(quick: boolean, scalarMlpNodes: number): BenchCase[] {
  const budget = quick ? QUICK : STANDARD;
  return [
    {
      id: 'W1',
      workload: 'W1',
      title: 'W1 MLP 784-256-128-10 ReLU, batch 128, softmax-CE, SGD step, float32',
      unit: 'ms/step',
      budget,
      rtol: 1e-4,
    },
    { id: 'W1-f64', workload: 'W1', title: "W1 in float64 (compared with the peers' float32)", unit: 'ms/step', budget, rtol: 1e-4 },
    ...[256, 512, 1024].map((n): BenchCase => ({
      id: `W2-${n}`,
      workload: 'W2',
      title: `W2 square float32 matmul, n=${n}`,
      unit: 'GFLOP/s',
      workPerIteration: 2 * n ** 3,
      budget,
      rtol: 1e-3,
    })),
    {
      id: 'W3',
      workload: 'W3',
      title: `W3 micrograd-style scalar MLP 2-16-16-1 tanh, 100 samples, forward+backward (${scalarMlpNodes} nodes)`,
      unit: 'M nodes/s',
      workPerIteration: scalarMlpNodes,
      budget,
      rtol: 1e-4,
    },
    { id: 'W4', workload: 'W4', title: 'W4 y = sum(tanh(x*w+b)) on 1e6 float32, grads of w, b', unit: 'ms/iter', budget, rtol: 1e-4 },
    {
      id: 'W5',
      workload: 'W5',
      title: 'W5 LeNet-5 conv-pool-conv-pool-fc-fc-fc ReLU, batch 64 of 1x28x28, softmax-CE, SGD step, float32',
      unit: 'ms/step',
      budget,
      rtol: 1e-4,
    },
    {
      id: 'W6',
      workload: 'W6',
      title:
        'W6 one causal pre-norm transformer block (batch 8, sequence 128, width 128, 4 heads, FF 512, GELU), forward + backward, float32',
      unit: 'ms/iter',
      budget,
      rtol: 1e-4,
    },
    mnistCase(quick),
  ];
}

/** Caps the iterations of a peer known to be orders of magnitude slower on a case. */
export function budgetFor(c: BenchCase, slowPeer: boolean): TimingBudget {
  if (!slowPeer) return c.budget;
  return { warmup: 1, minIterations: Math.min(3, c.budget.minIterations), minSeconds: 0, maxIterations: SLOW_PEER_CAP };
}

/** Converts seconds per iteration into the case's unit. */
export function toUnit(c: BenchCase, seconds: number): number {
  if (lowerIsBetter(c)) return seconds * 1e3;
  const work = c.workPerIteration ?? 0;
  return c.unit === 'GFLOP/s' ? work / seconds / 1e9 : work / seconds / 1e6;
}

/** True for time-per-iteration units, false for rates. */
export function lowerIsBetter(c: BenchCase): boolean {
  return c.unit === 'ms/step' || c.unit === 'ms/iter' || c.unit === 'ms/epoch';
}
