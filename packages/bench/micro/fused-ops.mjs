// The figures behind docs/decisions.md's fused-op entries: each fused op against the composite it replaced (its
// tests' oracle), forward and backward on a shape from the workload that uses it, float32, interleaved in rounds in
// one process so a change in the machine's load falls on both alike. Prints the median time of each and their ratio.
// Run after `pnpm build`: `node packages/bench/micro/fused-ops.mjs [--rounds 15]`.
import { parseArgs } from 'node:util';
import { batchNorm, gelu, layerNorm, ones, randn, scaledDotProductAttention, silu, tensor, zeros } from '@tapegrad/core';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const f32 = { dtype: 'float32' };
const param = (t) => t.setRequiresGrad();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Milliseconds per call of `step`, over `n` calls. */
function time(step, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  return (performance.now() - t0) / n;
}

/** forward, sum, backward from fresh gradients: what a training step does with the op. */
const step = (inputs, f) => () => {
  for (const t of inputs) t.grad = null;
  f(...inputs)
    .sum()
    .backward();
};

// W6's block: layer norm over 128 features of [8, 128] tokens, GELU/SiLU on its [8, 128, 512] feed-forward,
// attention of 4 heads of 32 over 128 positions, causal. The MNIST CNN: batch norm of [64, 16, 14, 14].
const tokens = param(randn([8, 128, 128], f32));
const [lw, lb] = [param(ones([128], f32)), param(zeros([128], f32))];
const ff = param(randn([8, 128, 512], f32));
const [q, k, v] = [0, 1, 2].map(() => param(randn([8, 4, 128, 32], f32)));
const planes = param(randn([64, 16, 14, 14], f32));
const [bw, bb] = [param(ones([16], f32)), param(zeros([16], f32))];
const perChannel = (t) => t.reshape([1, 16, 1, 1]);
const causal = tensor(
  Float32Array.from({ length: 128 * 128 }, (_, i) => (i % 128 > Math.floor(i / 128) ? -Infinity : 0)),
  { shape: [128, 128], dtype: 'float32' },
);

const CASES = [
  {
    name: 'layerNorm [8, 128, 128] over 128',
    inputs: [tokens, lw, lb],
    fused: (x, w, b) => layerNorm(x, 128, { weight: w, bias: b }),
    composite: (x, w, b) => {
      const c = x.sub(x.mean(-1, true));
      return c.div(c.square().mean(-1, true).add(1e-5).sqrt()).mul(w).add(b);
    },
  },
  {
    name: 'batchNorm [64, 16, 14, 14], training',
    inputs: [planes, bw, bb],
    fused: (x, w, b) => batchNorm(x, { weight: w, bias: b, training: true }),
    composite: (x, w, b) => {
      const c = x.sub(x.mean([0, 2, 3], true));
      return c
        .div(c.square().mean([0, 2, 3], true).add(1e-5).sqrt())
        .mul(perChannel(w))
        .add(perChannel(b));
    },
  },
  {
    name: 'gelu [8, 128, 512]',
    inputs: [ff],
    fused: (x) => gelu(x),
    composite: (x) => x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5),
  },
  {
    name: "gelu [8, 128, 512], approximate 'tanh'",
    inputs: [ff],
    fused: (x) => gelu(x, { approximate: 'tanh' }),
    composite: (x) =>
      x
        .mul(
          x
            .mul(x)
            .mul(x)
            .mul(0.044715)
            .add(x)
            .mul(Math.sqrt(2 / Math.PI))
            .tanh()
            .add(1),
        )
        .mul(0.5),
  },
  { name: 'silu [8, 128, 512]', inputs: [ff], fused: (x) => silu(x), composite: (x) => x.mul(x.sigmoid()) },
  {
    name: 'attention [8, 4, 128, 32], causal',
    inputs: [q, k, v],
    fused: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
    composite: (q, k, v) =>
      q
        .matmul(k, { transposeB: true })
        .mul(1 / Math.sqrt(32))
        .add(causal)
        .softmax(-1)
        .matmul(v),
  },
];

console.log(
  `fused against composite, forward and backward, float32; ${rounds} rounds, load average ${(await import('node:os')).loadavg()[0].toFixed(2)} at the start`,
);
for (const c of CASES) {
  const fused = step(c.inputs, c.fused);
  const composite = step(c.inputs, c.composite);
  const n = Math.max(1, Math.round(50 / Math.max(time(fused, 1), time(composite, 1))));
  const [tf, tc] = [[], []];
  for (let r = 0; r < rounds; r++) {
    if (r % 2) (tc.push(time(composite, n)), tf.push(time(fused, n)));
    else (tf.push(time(fused, n)), tc.push(time(composite, n)));
  }
  const [mf, mc] = [median(tf), median(tc)];
  console.log(`${c.name.padEnd(42)} fused ${mf.toFixed(2)} ms, composite ${mc.toFixed(2)} ms: ${(mc / mf).toFixed(2)}x`);
}
