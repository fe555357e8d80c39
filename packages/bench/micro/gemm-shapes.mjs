// GFLOP/s of the single-thread matrix product on W1's eight products (forward x W, backward dY W^T and X^T dY, with
// their transposes) and on W2's squares, in CPU time per call (process.cpuUsage: on a shared machine it moves much
// less with the load than wall time). With --base, the same products on another built checkout's core, the two
// builds taking turns in processes of their own, so a change to the kernel shows as a ratio per shape, and whether
// the two builds give the same bits: on these shapes and on odd sizes around every block and tile edge, in every
// transpose variant, with NaN and Infinity among the values (a hash of C's bits per product).
// Run after `pnpm build`:
//   node packages/bench/micro/gemm-shapes.mjs [--base /tmp/base-s7] [--backend wasm] [--dtype float32] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    dtype: { type: 'string', default: 'float32' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    child: { type: 'string' },
  },
});

// [name, m, n, k, transposeA, transposeB]: W1 = 784-256-128-10 at batch 128, then W2.
const SHAPES = [
  ['fwd x.W1', 128, 256, 784, false, false],
  ['fwd h1.W2', 128, 128, 256, false, false],
  ['fwd h2.W3', 128, 10, 128, false, false],
  ['bwd dY3.W3^T', 128, 128, 10, false, true],
  ['bwd h2^T.dY3', 128, 10, 128, true, false],
  ['bwd dY2.W2^T', 128, 256, 128, false, true],
  ['bwd h1^T.dY2', 256, 128, 128, true, false],
  ['bwd x^T.dY1', 784, 256, 128, true, false],
  ['W2 n=256', 256, 256, 256, false, false],
  ['W2 n=512', 512, 512, 512, false, false],
  ['W2 n=1024', 1024, 1024, 1024, false, false],
].filter(([name]) => !values.only || values.only.split(',').some((s) => name.includes(s)));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (values.child) {
  // One build: each product repeated for about 60 ms of CPU time, 7 times; the median per call in ms.
  const core = await import(join(values.child, 'index.js'));
  core.setKernelBackend(values.backend);
  const Kind = values.dtype === 'float64' ? Float64Array : Float32Array;
  const random = (size, seed = 0) => Kind.from({ length: size }, (_, i) => Math.sin(i * 12.9898 + seed + 0.5) * 0.5);
  // FNV-1a over C's bytes: two builds agree on a product's bits when their hashes do.
  const hash = (C) => new Uint8Array(C.buffer, C.byteOffset, C.byteLength).reduce((h, x) => Math.imul(h ^ x, 16777619) >>> 0, 2166136261);
  const bits = {};
  for (const m of [1, 3, 4, 5, 63, 64, 65, 130])
    for (const n of [1, 7, 8, 9, 17, 255, 257])
      for (const k of [1, 2, 255, 256, 257, 530])
        for (const [tA, tB] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ]) {
          const A = random(m * k, m);
          const B = random(k * n, n);
          if (m * k > 7) ((A[7] = Infinity), (A[Math.floor(A.length / 2)] = NaN));
          if (k * n > 3) B[3] = -Infinity;
          const C = new Kind(m * n);
          core.gemmSingleThread(A, 0, B, 0, C, 0, m, n, k, tA, tB);
          bits[`${m}x${n}x${k} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`] = hash(C);
        }
  const out = { bits };
  for (const [name, m, n, k, tA, tB] of SHAPES) {
    const A = random(m * k);
    const B = random(k * n);
    const C = new Kind(m * n);
    const call = () => {
      C.fill(0);
      core.gemmSingleThread(A, 0, B, 0, C, 0, m, n, k, tA, tB);
    };
    const cpu = (reps) => {
      const t = process.cpuUsage();
      for (let i = 0; i < reps; i++) call();
      const d = process.cpuUsage(t);
      return (d.user + d.system) / 1e3 / reps;
    };
    const reps = Math.max(1, Math.round(60 / Math.max(cpu(3), 1e-3)));
    const ms = Array.from({ length: 7 }, () => cpu(reps));
    out[name] = median(ms);
    bits[name] = hash(C);
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

const script = new URL(import.meta.url).pathname;
const builds = { after: new URL('../../core/dist/esm', import.meta.url).pathname };
if (values.base) builds.before = join(resolve(values.base), 'packages/core/dist/esm');
const runs = Object.fromEntries(Object.keys(builds).map((id) => [id, []]));
const args = ['--backend', values.backend, '--dtype', values.dtype, ...(values.only ? ['--only', values.only] : [])];
console.log(
  `gemmSingleThread, backend '${values.backend}', ${values.dtype}, CPU time; load average ${loadavg()[0].toFixed(2)} at the start`,
);
for (let r = 0; r < Number(values.rounds); r++) {
  const ids = Object.keys(builds);
  for (const id of r % 2 ? ids.reverse() : ids) {
    const text = execFileSync(process.execPath, [...process.execArgv, script, '--child', builds[id], ...args], { encoding: 'utf8' });
    runs[id].push(JSON.parse(text.trim().split('\n').pop()));
  }
}
const gflops = (ms, [, m, n, k]) => (2 * m * n * k) / (ms * 1e6);
const head = [
  'product',
  'm',
  'n',
  'k',
  'tA',
  'tB',
  ...(values.base ? ['before ms', 'GFLOP/s', 'after ms', 'GFLOP/s', 'after/before'] : ['ms', 'GFLOP/s']),
];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- |').join('')}`);
for (const shape of SHAPES) {
  const [name, m, n, k, tA, tB] = shape;
  const cells = [name, m, n, k, tA ? 'T' : '', tB ? 'T' : ''];
  const after = median(runs.after.map((x) => x[name]));
  if (values.base) {
    const before = median(runs.before.map((x) => x[name]));
    cells.push(before.toFixed(3), gflops(before, shape).toFixed(1));
    cells.push(after.toFixed(3), gflops(after, shape).toFixed(1), (after / before).toFixed(3));
  } else cells.push(after.toFixed(3), gflops(after, shape).toFixed(1));
  console.log(`| ${cells.join(' | ')} |`);
}
if (values.base) {
  const differ = Object.keys(runs.after[0].bits).filter((key) => runs.after[0].bits[key] !== runs.before[0].bits[key]);
  console.log(
    `bits: ${differ.length === 0 ? 'identical' : `DIFFER on ${differ.length}: ${differ.slice(0, 8).join(', ')}`} (${Object.keys(runs.after[0].bits).length} products)`,
  );
}
const total = (id) => SHAPES.slice(0, 8).reduce((s, [name]) => s + median(runs[id].map((x) => x[name] ?? 0)), 0);
console.log(
  `W1's eight products: ${values.base ? `before ${total('before').toFixed(3)} ms, ` : ''}${values.base ? 'after ' : ''}${total('after').toFixed(3)} ms; load average ${loadavg()[0].toFixed(2)} at the end`,
);
