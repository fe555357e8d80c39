// The figures behind docs/performance.md's "In-place updates": one optimiser step of a [784, 256] parameter (W1's
// first layer) on nn's TypeScript loop (`setKernelBackend('js')`) and on its WebAssembly kernel ('wasm'), float32
// and float64, medians of 200 steps, the two alternated twice. Run after `pnpm build`:
// `node packages/bench/micro/optimizer-steps.mjs`.
import { setKernelBackend, tensor } from '@tapegrad/core';
import { AdaGrad, Adam, RMSprop, SGD } from '@tapegrad/nn';

const n = 784 * 256;
const cases = [
  ['SGD', (p) => new SGD(p, { lr: 0.01 })],
  ['SGD, momentum 0.9', (p) => new SGD(p, { lr: 0.01, momentum: 0.9 })],
  ['Adam', (p) => new Adam(p)],
  ['RMSprop', (p) => new RMSprop(p)],
  ['AdaGrad', (p) => new AdaGrad(p)],
];

/** The median time of one step, in ms, on `backend`. */
function median(make, dtype, backend) {
  setKernelBackend(backend);
  const p = tensor(
    new Float64Array(n).map((_, i) => Math.sin(i)),
    { shape: [784, 256], dtype, requiresGrad: true },
  );
  p.grad = tensor(
    new Float64Array(n).map((_, i) => Math.cos(i) * 1e-3),
    { shape: [784, 256], dtype },
  );
  const opt = make([p]);
  for (let i = 0; i < 20; i++) opt.step();
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    opt.step();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[100];
}

for (const dtype of ['float32', 'float64']) {
  for (const [name, make] of cases) {
    const js = [];
    const wasm = [];
    for (let round = 0; round < 2; round++) {
      js.push(median(make, dtype, 'js'));
      wasm.push(median(make, dtype, 'wasm'));
    }
    const [l, w] = [Math.min(...js), Math.min(...wasm)];
    console.log(`${dtype} ${name.padEnd(18)} loop ${l.toFixed(3)} ms, WebAssembly ${w.toFixed(3)} ms (${(l / w).toFixed(2)}x)`);
  }
}
setKernelBackend('auto');
