/**
 * What forward mode costs: `jvp` against a plain forward pass of the same function (noGrad), and against a forward
 * plus backward (the reverse sweep), on the shapes of `pnpm bench`'s workloads; and the live memory at the deepest
 * point of a long chain, by forward mode and by a recorded forward pass, for growing depths. Medians of interleaved
 * rounds (every variant timed in each round, so a change in the machine's load falls on all of them alike).
 *
 * @example
 * npx -y pnpm@10.34.9 build && node --expose-gc packages/bench/dist/esm/transforms/forward-mode.js
 * node --expose-gc packages/bench/dist/esm/transforms/forward-mode.js --quick
 */
import { parseArgs } from 'node:util';
import { type Scalar, type Tensor, jvp, noGrad, scalar, tensor } from '@tapegrad/core';
import { mlpData, scalarMlpData, tanhSumData } from '../data.js';
import { describeMachine, machineInfo } from '../machine.js';
import { scalarMlpLoss } from '../micrograd-reference.js';
import { type Variant, formatRatio, liveBytes, timeInterleaved } from './timing.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const rounds = values.quick ? 3 : 10;

function mlpCase(): { title: string; variants: Variant[] } {
  const data = mlpData();
  const x = tensor(Float64Array.from(data.x.data), { shape: data.x.shape });
  const params = data.params.map((p) => tensor(Float64Array.from(p.data), { shape: p.shape }));
  const forward = (input: Tensor, ...ps: Tensor[]) => {
    let h = input;
    for (let l = 0; l < ps.length; l += 2) {
      h = h.matmul(ps[l]).add(ps[l + 1]);
      if (l + 2 < ps.length) h = h.relu();
    }
    return h.logSoftmax(-1).sum();
  };
  const tx = x.zerosLike().add(1e-3);
  const tps = params.map((p) => p.zerosLike().add(1e-3));
  const zeroX = x.zerosLike();
  return {
    title: 'MLP 784-256-128-10 ReLU, batch 128, float64 (W1 in float64), log-softmax summed',
    variants: [
      { name: 'forward (noGrad)', run: () => noGrad(() => forward(x, ...params)).item() },
      { name: 'jvp along the input', run: () => jvp(forward, [x, ...params], [tx, ...params.map((p) => p.zerosLike())])[1].item() },
      { name: 'jvp along every weight', run: () => jvp(forward, [x, ...params], [zeroX, ...tps])[1].item() },
      {
        name: 'forward + backward',
        run: () => {
          const ps = params.map((p) => p.detach().setRequiresGrad(true));
          const y = forward(x, ...ps);
          y.backward();
          return ps[0].grad!.data[0];
        },
      },
    ],
  };
}

function tanhSumCase(): { title: string; variants: Variant[] } {
  const d = tanhSumData();
  const x = tensor(Float64Array.from(d.x), { shape: [d.x.length] });
  const g = (v: Tensor) => v.mul(d.w).add(d.b).tanh().sum();
  const u = x.zerosLike().add(1);
  return {
    title: 'W4 shape: sum(tanh(x * w + b)) over 1e6 float64 elements, the tangent along x',
    variants: [
      { name: 'forward (noGrad)', run: () => noGrad(() => g(x)).item() },
      { name: 'jvp along x', run: () => jvp(g, [x], [u])[1].item() },
      {
        name: 'forward + backward',
        run: () => {
          const v = x.detach().setRequiresGrad(true);
          g(v).backward();
          return v.grad!.data[0];
        },
      },
    ],
  };
}

function scalarMlpCase(): { title: string; variants: Variant[] } {
  const data = scalarMlpData();
  const params = () => data.weights.map((l) => l.map((n) => n.map((v) => scalar(v, { requiresGrad: false }))));
  const fixed = params();
  const flat = fixed.flat(2);
  const rebuild = (xs: Scalar[]) => {
    let k = 0;
    return fixed.map((l) => l.map((n) => n.map(() => xs[k++])));
  };
  const loss = (...xs: Scalar[]) => scalarMlpLoss<Scalar>(rebuild(xs), data);
  const tangents = flat.map((_, i) => (i === 0 ? 1 : 0));
  return {
    title: `W3 shape: micrograd's 2-16-16-1 tanh MLP on 100 samples as Scalars (${flat.length} parameters), the tangent along one weight`,
    variants: [
      { name: 'forward (Scalars, nothing recorded)', run: () => loss(...fixed.flat(2)).value },
      { name: 'jvp along one weight', run: () => jvp(loss, flat, tangents)[1].value },
      {
        name: 'forward + backward',
        run: () => {
          const ps = flat.map((p) => scalar(p.value));
          const y = loss(...ps);
          y.backward();
          return ps[0].grad;
        },
      },
    ],
  };
}

/** The live memory (after a full collection) at the end of a chain of `depth` steps, measured from inside the chain. */
function liveAtDepth(depth: number, mode: 'jvp' | 'recorded'): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const x0 = tensor(Float64Array.from({ length: 10_000 }, (_, i) => Math.sin(i)));
  let deepest = 0;
  const chain = (x: Tensor) => {
    let h = x;
    for (let i = 0; i < depth; i++) h = h.mul(0.9).add(0.05).tanh();
    gc();
    gc();
    deepest = liveBytes();
    return h.sum();
  };
  gc();
  gc();
  const before = liveBytes();
  if (mode === 'jvp') jvp(chain, [x0], [x0.zerosLike().add(1)]);
  else chain(x0.detach().setRequiresGrad(true));
  return (deepest - before) / 2 ** 20;
}

const machine = machineInfo();
console.log(
  `# Forward mode (jvp) against a plain forward pass\n\n${describeMachine(machine)}; load average ${machine.loadAverage.join(', ')}\n`,
);
for (const c of [mlpCase(), tanhSumCase(), scalarMlpCase()]) {
  const results = timeInterleaved(c.variants, rounds);
  const base = results[0].median;
  console.log(`## ${c.title}\n\n| variant | median ms | ratio to forward |\n| --- | ---: | ---: |`);
  for (const r of results) console.log(`| ${r.name} | ${(r.median * 1e3).toFixed(2)} | ${formatRatio(r.median / base)} |`);
  console.log('');
}
console.log('## Live memory at the deepest point of a chain x -> tanh(0.9 x + 0.05), 10,000 float64 elements\n');
console.log('| depth | jvp (MiB) | recorded forward (MiB) |\n| ---: | ---: | ---: |');
for (const depth of values.quick ? [10, 100] : [10, 100, 1000]) {
  console.log(`| ${depth} | ${liveAtDepth(depth, 'jvp').toFixed(2)} | ${liveAtDepth(depth, 'recorded').toFixed(2)} |`);
}
console.log(`\nload average after: ${machineInfo().loadAverage.join(', ')}`);
