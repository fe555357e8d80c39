/**
 * What `checkpoint` saves: the peak memory of one forward and backward pass of a 100-layer MLP, without it, with
 * every layer checkpointed, and with segments of 10 layers checkpointed (sqrt(depth), as PyTorch's
 * checkpoint_sequential suggests); and what it costs in time (one more forward pass). Memory is the live JS heap
 * plus typed-array storage after a full collection, sampled at every layer boundary of the forward pass and, through
 * gradient hooks, of the backward pass (inside a checkpointed segment too, while its recomputed graph is live),
 * less what was live before the pass (the parameters and the input).
 *
 * @example
 * npx -y pnpm@10.34.9 build && node --expose-gc packages/bench/dist/esm/transforms/checkpoint-memory.js
 */
import { parseArgs } from 'node:util';
import { type Tensor, checkpoint, randn, seed } from '@tapegrad/core';
import { describeMachine, machineInfo } from '../machine.js';
import { formatRatio, liveBytes, timeInterleaved } from './timing.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const DEPTH = 100;
// A batch large enough that activations, not weights, take the memory: the regime checkpointing is for. The
// weights' gradients (as many bytes as the weights) are live in every variant alike.
const WIDTH = 128;
const BATCH = 512;

seed(1);
const weights = Array.from({ length: DEPTH }, () => randn([WIDTH, WIDTH], { dtype: 'float64' }).mul(1 / Math.sqrt(WIDTH)));
const biases = Array.from({ length: DEPTH }, () => randn([WIDTH], { dtype: 'float64' }).mul(0.1));
const input = randn([BATCH, WIDTH], { dtype: 'float64' });

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
let peak = 0;
let probing = false;
function sample(): void {
  if (!probing) return;
  gc!();
  gc!();
  peak = Math.max(peak, liveBytes());
}
/** Samples now (forward) and again when the backward pass reaches `h` (its gradient hook). */
function probe(h: Tensor): Tensor {
  sample();
  if (probing && h.requiresGrad) h.registerHook(() => void sample());
  return h;
}

const layer = (h: Tensor, w: Tensor, b: Tensor) => probe(h.matmul(w).add(b).tanh());
/** Layers i..j-1 as one function of the activation and their parameters. */
const segment =
  (i: number, j: number) =>
  (h: Tensor, ...ps: Tensor[]) => {
    for (let l = i; l < j; l++) h = layer(h, ps[2 * (l - i)], ps[2 * (l - i) + 1]);
    return h;
  };

type Plan = 'none' | 'every layer' | 'segments of 10';
/** One forward and backward pass; checkpointed pieces are made once per plan. */
function pass(plan: Plan, params: Tensor[]): number {
  const size = plan === 'none' ? DEPTH : plan === 'every layer' ? 1 : 10;
  let h = input;
  for (let i = 0; i < DEPTH; i += size) {
    const ps = params.slice(2 * i, 2 * (i + size));
    const piece = segment(i, i + size);
    h = plan === 'none' ? piece(h, ...ps) : probe(checkpoint(piece)(h, ...ps));
  }
  const loss = h.square().mean();
  loss.backward();
  return loss.item();
}

function leaves(): Tensor[] {
  return weights.flatMap((w, i) => [w.detach().setRequiresGrad(true), biases[i].detach().setRequiresGrad(true)]);
}

function peakOf(plan: Plan): { peakMiB: number; loss: number; grad0: number } {
  const params = leaves();
  gc!();
  gc!();
  const before = liveBytes();
  peak = before;
  probing = true;
  const loss = pass(plan, params);
  probing = false;
  return { peakMiB: (peak - before) / 2 ** 20, loss, grad0: params[0].grad!.data[0] };
}

const machine = machineInfo();
console.log(`# checkpoint: peak memory of a ${DEPTH}-layer MLP (width ${WIDTH}, batch ${BATCH}, tanh, float64)\n`);
console.log(`${describeMachine(machine)}; load average ${machine.loadAverage.join(', ')}\n`);
const plans: Plan[] = ['none', 'every layer', 'segments of 10'];
const peaks = plans.map(peakOf);
const activation = (BATCH * WIDTH * 8) / 2 ** 20;
const weightGrads = (DEPTH * (WIDTH * WIDTH + WIDTH) * 8) / 2 ** 20;
console.log(
  `One activation is ${activation.toFixed(3)} MiB; the weights' gradients, live at the end in every variant, ${weightGrads.toFixed(1)} MiB.\n`,
);
console.log(
  '| checkpoint | peak live memory (MiB) | in activations | ratio to none | loss | dL/dW1[0] |\n| --- | ---: | ---: | ---: | ---: | ---: |',
);
peaks.forEach((p, k) =>
  console.log(
    `| ${plans[k]} | ${p.peakMiB.toFixed(1)} | ${(p.peakMiB / activation).toFixed(0)} | ${formatRatio(p.peakMiB / peaks[0].peakMiB)} | ${p.loss} | ${p.grad0} |`,
  ),
);

const params = leaves();
const timings = timeInterleaved(
  plans.map((plan) => ({
    name: plan,
    run: () => {
      params.forEach((p) => p.zeroGrad());
      return pass(plan, params);
    },
  })),
  values.quick ? 2 : 5,
  1,
);
console.log('\n| checkpoint | median ms per forward + backward | ratio to none |\n| --- | ---: | ---: |');
for (const t of timings) console.log(`| ${t.name} | ${(t.median * 1e3).toFixed(1)} | ${formatRatio(t.median / timings[0].median)} |`);
console.log(`\nload average after: ${machineInfo().loadAverage.join(', ')}`);
