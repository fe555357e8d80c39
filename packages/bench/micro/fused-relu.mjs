// The figure behind docs/decisions.md's fused bias + relu entry: addRelu against add then relu (forward and
// backward, [128, 256] float32), and a W1-shaped step with Sequential's fusion against the same layers called one
// by one, interleaved in rounds. Run after `pnpm build`: `node packages/bench/micro/fused-relu.mjs`.
import { randn, tensor } from '@tapegrad/core';
import { Linear, ReLU, Sequential, softmaxCrossEntropy } from '@tapegrad/nn';

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = (fn, n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
};

const a = randn([128, 256], { dtype: 'float32', requiresGrad: true });
const b = randn([256], { dtype: 'float32', requiresGrad: true });
const fused = () => ((a.grad = null), (b.grad = null), a.addRelu(b).sum().backward());
const plain = () => ((a.grad = null), (b.grad = null), a.add(b).relu().sum().backward());

const x = randn([128, 784], { dtype: 'float32' });
const labels = tensor(
  Array.from({ length: 128 }, (_, i) => i % 10),
  { dtype: 'int32' },
);
const f32 = { dtype: 'float32' };
const model = new Sequential(new Linear(784, 256, f32), new ReLU(), new Linear(256, 128, f32), new ReLU(), new Linear(128, 10, f32));
const sequential = () => (model.zeroGrad(), softmaxCrossEntropy(model.forward(x), labels).backward());
const oneByOne = () => {
  model.zeroGrad();
  let y = x;
  for (const layer of model.layers) y = layer.forward(y);
  softmaxCrossEntropy(y, labels).backward();
};

for (const f of [fused, plain, sequential, oneByOne]) for (let i = 0; i < 20; i++) f();
const runs = { fused: [], plain: [], sequential: [], oneByOne: [] };
for (let round = 0; round < 15; round++) {
  runs.fused.push(time(fused, 50));
  runs.plain.push(time(plain, 50));
  runs.sequential.push(time(sequential, 10));
  runs.oneByOne.push(time(oneByOne, 10));
}
const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
console.log(`addRelu ${m.fused.toFixed(3)} ms, add + relu ${m.plain.toFixed(3)} ms: ${(m.plain / m.fused).toFixed(2)}x`);
console.log(
  `W1-shaped step: Sequential ${m.sequential.toFixed(2)} ms, layer by layer ${m.oneByOne.toFixed(2)} ms: ${(m.oneByOne / m.sequential).toFixed(2)}x`,
);
