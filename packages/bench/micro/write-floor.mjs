// The memory-bandwidth floor under per-sample gradients (docs/performance.md, "Per-sample gradients"): what writing
// the MNIST MLP's first-layer per-sample gradients (128 outer products [784] x [256], 103 MB in float32) costs into
// memory already touched, as vmap's reuseOutputs runs, against a plain fill and a plain copy of the same size, and the
// outer-product kernel writing in place (an output in a WebAssembly memory of its own) against computing blocks in
// the module's memory and copying them out. Interleaved rounds; medians and bests.
// Run after `pnpm build`: `node packages/bench/micro/write-floor.mjs [--dtype float64] [--rounds 25]`.
import { parseArgs } from 'node:util';
import { outerInPlace, wasmOuter, wasmOuterOutput } from '../../core/dist/esm/ndarray/kernels/backend/wasm-outer.js';

const { values } = parseArgs({ options: { dtype: { type: 'string', default: 'float32' }, rounds: { type: 'string', default: '25' } } });
const dtype = values.dtype;
const Kind = dtype === 'float64' ? Float64Array : Float32Array;
const [batch, m, n] = [128, 784, 256];
const size = batch * m * n;
const a = Kind.from({ length: batch * m }, (_, i) => Math.sin(i));
const b = Kind.from({ length: batch * n }, (_, i) => Math.cos(i));

outerInPlace.minBytes = 0;
const inPlace = wasmOuterOutput(dtype, size, m, n);
if (inPlace === null) throw new Error('this host cannot make a WebAssembly memory for the output');
const plain = new Kind(size);
const source = new Kind(size);
for (const array of [inPlace, plain, source]) array.fill(1); // touched: no page faults in the timed rounds

const outer = (out) => {
  for (let t = 0; t < batch; t++) wasmOuter(a, t * m, b, t * n, out, t * m * n, m, n);
};
const variants = {
  'fill (memset)': () => plain.fill(2),
  'copy (memmove)': () => plain.set(source),
  'outer products, in place': () => outer(inPlace),
  'outer products, blocks copied out': () => outer(plain),
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = performance.now();
    run();
    times[name].push(performance.now() - t0);
  }
}
const os = await import('node:os');
const megabytes = (size * Kind.BYTES_PER_ELEMENT) / 2 ** 20; // MiB
console.log(
  `${megabytes.toFixed(0)} MB (${dtype}) into touched memory; load average ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
for (const [name, list] of Object.entries(times)) {
  const sorted = list.sort((x, y) => x - y);
  const best = sorted[0];
  console.log(
    `${name.padEnd(34)} median ${sorted[sorted.length >> 1].toFixed(2)} ms, best ${best.toFixed(2)} ms (${(megabytes / 1024 / (best / 1000)).toFixed(1)} GiB/s written)`,
  );
}
