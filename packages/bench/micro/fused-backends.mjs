// The figures behind docs/decisions.md's session-7 entry on fused programs on WebAssembly: four elementwise chains
// with a final sum, forward and backward on 1e6 elements (scalar weight and bias requiring grad, as W4), float32 and
// float64, interleaved in rounds in one process: eagerly on 'wasm', fused on 'wasm' (float32 on the WebAssembly
// module's blocks, float64 in the generated loop), fused on 'wasm' with generated code refused (float64 on the
// blocks too), and fused on 'js' (the generated loop). Prints medians and each one's ratio to eager.
// Run after `pnpm build`: `node packages/bench/micro/fused-backends.mjs [--rounds 11] [--n 1000000]`.
import { parseArgs } from 'node:util';
import { fuse, setKernelBackend, tensor, tidy } from '@tapegrad/core';
import { setGeneratedCode } from '../../core/dist/esm/fusion/codegen.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '11' }, n: { type: 'string', default: '1000000' } } });
const rounds = Number(values.rounds);
const N = Number(values.n);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const CHAINS = {
  'W4: x*w+b, tanh, sum': (x, w, b) => x.mul(w).add(b).tanh().sum(),
  'x*w+b, *x, -w, sum': (x, w, b) => x.mul(w).add(b).mul(x).sub(w).sum(),
  'x*w+b, relu, sum': (x, w, b) => x.mul(w).add(b).relu().sum(),
  'x*w+b, sigmoid, sum': (x, w, b) => x.mul(w).add(b).sigmoid().sum(),
};
// [backend, generated code allowed, fused]
const VARIANTS = {
  'eager wasm': ['wasm', true, false],
  'fused wasm': ['wasm', true, true],
  'fused wasm, no generated code': ['wasm', false, true],
  'fused js': ['js', true, true],
};
for (const dtype of ['float32', 'float64']) {
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const x = tensor(
    Arr.from({ length: N }, (_, i) => Math.sin(i) * 3),
    { shape: [N], dtype },
  );
  const w = tensor(Arr.of(0.7), { shape: [], dtype, requiresGrad: true });
  const b = tensor(Arr.of(0.1), { shape: [], dtype, requiresGrad: true });
  for (const [name, body] of Object.entries(CHAINS)) {
    const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
    const fns = Object.fromEntries(Object.entries(VARIANTS).map(([k, [, , fused]]) => [k, fused ? fuse(body) : body]));
    for (let r = 0; r < rounds; r++) {
      for (const [k, [backend, generated]] of Object.entries(VARIANTS)) {
        setKernelBackend(backend);
        setGeneratedCode(generated);
        const t0 = performance.now();
        for (let i = 0; i < 3; i++)
          tidy(() => {
            fns[k](x, w, b).backward();
            w.zeroGrad();
            b.zeroGrad();
          });
        times[k].push((performance.now() - t0) / 3);
      }
    }
    const eager = median(times['eager wasm']);
    const cells = Object.entries(times).map(([k, ts]) => `${k} ${median(ts).toFixed(2)} ms (${(median(ts) / eager).toFixed(2)}x)`);
    console.log(`${dtype} ${name}: ${cells.join(', ')}`);
  }
}
setGeneratedCode(true);
