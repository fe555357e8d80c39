/**
 * Per-sample gradients of the MNIST MLP (784-256-128-10, ReLU, softmax cross-entropy), the benchmark of issue 13's
 * vmap: `vmap(grad(loss))` over a batch of 128, one batched pass, against a JavaScript loop of `grad` calls, one per
 * sample. Both are timed in the same process, alternating, after a warm-up; the report gives medians and the
 * ratio. Peak memory (the process's maximum resident set) is measured in a fresh child process per variant, so one
 * variant's garbage does not count against the other.
 *
 * Run: `pnpm bench:per-sample` (options: --batch N, --dtype float32|float64, --rounds N).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type DType, Generator, type Tensor, grad, noGrad, stack, tensor, tidy, vmap, zeros } from '@tapegrad/core';
import { median } from './measure.js';

/** The layer sizes of the MNIST MLP. */
export const SIZES = [784, 256, 128, 10] as const;

/** The MLP's parameters, as positional arguments: w1, b1, w2, b2, w3, b3. */
export type Params = [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];

/** One sample's loss: softmax cross-entropy of the MLP's logits for `x` [784] against the int32 label `y` []. */
export function sampleLoss(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, w3: Tensor, b3: Tensor, x: Tensor, y: Tensor): Tensor {
  const h1 = x.matmul(w1).add(b1).relu();
  const h2 = h1.matmul(w2).add(b2).relu();
  const logits = h2.matmul(w3).add(b3);
  return logits
    .logSoftmax(-1)
    .takeAlongAxis(y.reshape([1]), -1)
    .neg()
    .sum();
}

const gradients = grad(sampleLoss, { argnums: [0, 1, 2, 3, 4, 5] });

/** Seeded He-initialised parameters and a batch of inputs in [0, 1) with labels in [0, 10). */
export function problem(batch: number, dtype: DType, seed = 1): { params: Params; xs: Tensor; ys: Tensor } {
  const g = new Generator(seed);
  const uniform = (shape: number[], scale: number) =>
    tensor(
      Float64Array.from({ length: shape.reduce((n, d) => n * d, 1) }, () => scale * (2 * g.uniform() - 1)),
      { shape, dtype },
    );
  const params: Tensor[] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    params.push(uniform([SIZES[l], SIZES[l + 1]], Math.sqrt(6 / SIZES[l])), uniform([SIZES[l + 1]], 0.1));
  }
  const xs = uniform([batch, SIZES[0]], 0.5).add(0.5);
  const ys = tensor(
    Int32Array.from({ length: batch }, () => g.int(SIZES[SIZES.length - 1])),
    { shape: [batch] },
  );
  return { params: params as Params, xs, ys };
}

/** Per-sample gradients in one batched pass: six tensors of shape [batch, ...parameter shape]. */
export function viaVmap(params: Params, xs: Tensor, ys: Tensor): Tensor[] {
  return vmap(gradients, { inAxes: [null, null, null, null, null, null, 0, 0] })(...params, xs, ys);
}

const reusingGradients = vmap(gradients, { inAxes: [null, null, null, null, null, null, 0, 0], reuseOutputs: true });

/**
 * The same per-sample gradients, each call reusing the memory of the previous call's (vmap's `reuseOutputs`), as a
 * training loop that consumes them before the next step would.
 */
export function viaVmapReusing(params: Params, xs: Tensor, ys: Tensor): Tensor[] {
  return reusingGradients(...params, xs, ys);
}

const disposingGradients = vmap(gradients, { inAxes: [null, null, null, null, null, null, 0, 0] });
let lastTidy: Tensor[] = [];

/**
 * The same per-sample gradients with the memory handling of a training loop that cleans up after each step: the
 * previous call's gradients disposed (as `tidy` around the step would), the call itself inside `tidy` (its
 * intermediates disposed into the pool). vmap's next call then reuses the disposed outputs' memory, with no option.
 */
export function viaVmapTidy(params: Params, xs: Tensor, ys: Tensor): Tensor[] {
  for (const g of lastTidy) g.dispose();
  return (lastTidy = tidy(() => disposingGradients(...params, xs, ys)));
}

let lastLoopTidy: Tensor[][] = [];

/** The loop of `grad` calls with the same cleanup: the previous call's gradients disposed, each sample's call in `tidy`. */
export function viaLoopTidy(params: Params, xs: Tensor, ys: Tensor): Tensor[][] {
  for (const grads of lastLoopTidy) for (const g of grads) g.dispose();
  const out: Tensor[][] = [];
  for (let b = 0; b < xs.shape[0]; b++) {
    out.push(
      tidy(() => {
        const x = xs.slice([b, 0], [1, -1]).reshape([xs.shape[1]]);
        const y = ys.slice([b], [1]).reshape([]);
        return gradients(...params, x, y);
      }),
    );
  }
  return (lastLoopTidy = out);
}

/** Per-sample gradients by a loop of `grad` calls: for each sample, its six gradients. */
export function viaLoop(params: Params, xs: Tensor, ys: Tensor): Tensor[][] {
  const out: Tensor[][] = [];
  for (let b = 0; b < xs.shape[0]; b++) {
    const x = xs.slice([b, 0], [1, -1]).reshape([xs.shape[1]]);
    const y = ys.slice([b], [1]).reshape([]);
    out.push(gradients(...params, x, y));
  }
  return out;
}

/** The largest relative difference between the two variants' gradients (against the largest magnitude of each). */
export function disagreement(batched: readonly Tensor[], loop: readonly Tensor[][]): number {
  let worst = 0;
  batched.forEach((g, j) => {
    const expected = noGrad(() => stack(loop.map((l) => l[j])));
    const a = g.data;
    const e = expected.data;
    let scale = 0;
    for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]));
    for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / (scale || 1));
  });
  return worst;
}

/**
 * One sample's loss with a probe (zeros) added to each layer's output z_l, and the layers' inputs as aux: the
 * gradient with respect to the probes is δ_l = dL/dz_l. For the rank-one identity of `viaNorms`.
 */
function probedLoss(
  w1: Tensor,
  b1: Tensor,
  w2: Tensor,
  b2: Tensor,
  w3: Tensor,
  b3: Tensor,
  e1: Tensor,
  e2: Tensor,
  e3: Tensor,
  x: Tensor,
  y: Tensor,
): [Tensor, Tensor[]] {
  const h1 = x.matmul(w1).add(b1).add(e1).relu();
  const h2 = h1.matmul(w2).add(b2).add(e2).relu();
  const logits = h2.matmul(w3).add(b3).add(e3);
  const loss = logits
    .logSoftmax(-1)
    .takeAlongAxis(y.reshape([1]), -1)
    .neg()
    .sum();
  return [loss, [x, h1, h2]];
}

const probeGradients = grad(probedLoss, { argnums: [6, 7, 8], hasAux: true });

/**
 * The norm of one sample's gradient (all six parameters) without forming it. A layer z = a W + b has, for one
 * sample, dL/dW = aᵀ δ and dL/db = δ, and the rank-one aᵀ δ has squared norm |a|² |δ|² (Goodfellow, "Efficient
 * per-example gradient computations", 2015): the squared norm is Σ_l (|a_{l-1}|² + 1) |δ_l|², from vectors alone.
 */
function sampleGradientNorm(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, w3: Tensor, b3: Tensor, x: Tensor, y: Tensor): Tensor {
  const [e1, e2, e3] = SIZES.slice(1).map((n) => zeros([n], { dtype: w1.dtype }));
  const [deltas, inputs] = probeGradients(w1, b1, w2, b2, w3, b3, e1, e2, e3, x, y);
  const layer = (l: number) => deltas[l].square().sum().mul(inputs[l].square().sum().add(1));
  return layer(0).add(layer(1)).add(layer(2)).sqrt();
}

const batchedNorms = vmap(sampleGradientNorm, { inAxes: [null, null, null, null, null, null, 0, 0] });

/**
 * Each sample's gradient norm, [batch] (what DP-SGD clips by), in one batched pass that never forms the per-sample
 * gradients: `vmap(grad)` with respect to the probes of `probedLoss` only, so no weight gradient, no outer product.
 */
export function viaNorms(params: Params, xs: Tensor, ys: Tensor): Tensor {
  return batchedNorms(...params, xs, ys);
}

/** Each sample's gradient norm computed from the loop's per-sample gradients, element by element, in float64. */
export function normsOfLoop(loop: readonly Tensor[][]): Float64Array {
  return Float64Array.from(loop, (grads) => {
    let sum = 0;
    for (const g of grads) for (const v of g.data) sum += v * v;
    return Math.sqrt(sum);
  });
}

interface Options {
  readonly batch: number;
  readonly dtype: DType;
  readonly rounds: number;
}

type Variant = 'vmap' | 'reusing' | 'loop';

function parse(argv: readonly string[]): Options & { mode?: Variant } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dtype = (get('dtype') ?? 'float32') as DType;
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`--dtype must be float32 or float64, got ${dtype}`);
  const mode = get('memory-of') as Variant | undefined;
  return { batch: Number(get('batch') ?? 128), dtype, rounds: Number(get('rounds') ?? 15), mode };
}

/** The child process of the memory measurement: one warm-up call and one measured call of a variant. */
function measureMemory(mode: Variant, options: Options): void {
  const { params, xs, ys } = problem(options.batch, options.dtype);
  const run = () => ({ vmap: viaVmap, reusing: viaVmapReusing, loop: viaLoop })[mode](params, xs, ys);
  run();
  // Twice: array buffers are swept on a helper thread, and the second collection waits for the first one's sweep.
  const gc = () => ((globalThis as { gc?: () => void }).gc?.(), (globalThis as { gc?: () => void }).gc?.());
  gc();
  const before = process.memoryUsage();
  const result = run();
  gc();
  const after = process.memoryUsage();
  // `external` counts array buffers and WebAssembly memories (large outer products are written into memories of their own).
  const retained = after.heapUsed + after.external - (before.heapUsed + before.external);
  process.stdout.write(JSON.stringify({ maxRssMB: peakRssKB() / 1024, retainedMB: retained / 2 ** 20, kept: result.length }));
}

/**
 * This process's peak resident set in KiB: Linux's VmHWM, which starts afresh at exec. (getrusage's maxRSS, which
 * `process.resourceUsage()` reports, keeps the high-water mark of the process that spawned this one, so every child
 * of a large parent reported the parent's peak.) Elsewhere, maxRSS.
 */
function peakRssKB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // No /proc: not Linux.
  }
  return process.resourceUsage().maxRSS;
}

function memoryOf(mode: Variant, options: Options): { maxRssMB: number; retainedMB: number } {
  // This very script (run as `node .../per-sample-grads.js`), in a fresh process.
  const script = process.argv[1];
  const args = ['--expose-gc', script, '--memory-of', mode, '--batch', String(options.batch), '--dtype', options.dtype];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory child (${mode}) failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { maxRssMB: number; retainedMB: number };
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  if (options.mode !== undefined) return measureMemory(options.mode, options);
  const { params, xs, ys } = problem(options.batch, options.dtype);
  const gradientsPerSample = SIZES.slice(1).reduce((n, d, l) => n + SIZES[l] * d + d, 0);
  console.log(
    `Per-sample gradients of the MLP ${SIZES.join('-')} (${gradientsPerSample.toLocaleString('en-US')} parameters), ` +
      `batch ${options.batch}, ${options.dtype}; Node ${process.version}, load average ${(await loadAverage()).join(' ')}`,
  );
  const loop = viaLoop(params, xs, ys);
  const check = disagreement(viaVmap(params, xs, ys), loop);
  // Twice: the second call runs in the memory of the first's outputs.
  viaVmapReusing(params, xs, ys);
  const checkReusing = disagreement(viaVmapReusing(params, xs, ys), loop);
  viaVmapTidy(params, xs, ys);
  const checkTidy = disagreement(viaVmapTidy(params, xs, ys), loop);
  viaLoopTidy(params, xs, ys);
  const checkLoopTidy = disagreement(viaVmap(params, xs, ys), viaLoopTidy(params, xs, ys));
  const norms = viaNorms(params, xs, ys).data;
  const checkNorms = normsOfLoop(loop).reduce((worst, n, b) => Math.max(worst, Math.abs(norms[b] - n) / n), 0);
  console.log(
    `agreement: largest relative difference between vmap and the loop ${check.toExponential(2)}, ` +
      `with reuseOutputs ${checkReusing.toExponential(2)}, with tidy ${checkTidy.toExponential(2)} (the tidy loop ` +
      `${checkLoopTidy.toExponential(2)}); the per-sample norms by the rank-one identity against the ` +
      `loop's gradients' norms ${checkNorms.toExponential(2)}`,
  );
  // Warm-up, then rounds alternating the two variants (which goes first alternates too).
  for (let i = 0; i < 2; i++) {
    viaVmap(params, xs, ys);
    viaLoop(params, xs, ys);
  }
  const reused = writeOutputs(params, options.batch);
  const gc = (globalThis as { gc?: () => void }).gc;
  const variants = {
    vmap: () => viaVmap(params, xs, ys),
    reusing: () => viaVmapReusing(params, xs, ys),
    tidy: () => viaVmapTidy(params, xs, ys),
    loop: () => viaLoop(params, xs, ys),
    loopTidy: () => viaLoopTidy(params, xs, ys),
    floor: () => writeOutputs(params, options.batch),
    reusedFloor: () => writeOutputs(params, options.batch, reused),
    norms: () => viaNorms(params, xs, ys),
  };
  const names = ['vmap', 'reusing', 'tidy', 'loop', 'floor', 'reusedFloor', 'norms', 'loopTidy'] as const;
  // The loop with tidy goes last, in rounds of its own: it leaves the pool full (64 MB of its results), which would
  // slow whatever ran after it (each release past the bound empties the pool, and the memory is faulted in again).
  const rotated = names.length - 1;
  const costs = Object.fromEntries(names.map((n) => [n, [] as Cost[]])) as Record<(typeof names)[number], Cost[]>;
  for (let r = 0; r < options.rounds; r++) {
    // Each round runs the variants in a rotated order, so none always follows the same one. Each timed call follows
    // an untimed call of the same variant, as one step of a training loop follows another: it pays for collecting
    // its own previous results (the loop's 768 arrays, the fresh outputs), not for another variant's garbage, which
    // is collected before that untimed call.
    for (let k = 0; k < rotated; k++) {
      const mode = names[(r + k) % rotated];
      gc?.();
      variants[mode]();
      costs[mode].push(costOf(variants[mode]));
    }
  }
  for (let r = 0; r < options.rounds; r++) {
    gc?.();
    variants.loopTidy();
    costs.loopTidy.push(costOf(variants.loopTidy));
  }
  const m = {
    vmap: summarize(costs.vmap),
    reusing: summarize(costs.reusing),
    tidy: summarize(costs.tidy),
    loop: summarize(costs.loop),
    loopTidy: summarize(costs.loopTidy),
    floor: summarize(costs.floor),
    reusedFloor: summarize(costs.reusedFloor),
    norms: summarize(costs.norms),
  };
  const line = (label: string, c: Summary) =>
    console.log(
      `${label.padEnd(30)} median ${c.wall.toFixed(1)} ms (range ${c.range}, ${options.rounds} runs); CPU ${c.user.toFixed(1)} ms user + ` +
        `${c.system.toFixed(1)} ms system, ${c.faults.toFixed(0)} page faults a call`,
    );
  line('vmap(grad):', m.vmap);
  line('vmap(grad), reuseOutputs:', m.reusing);
  line('vmap(grad), tidy and dispose:', m.tidy);
  line('loop of grad:', m.loop);
  line('loop of grad, tidy and dispose:', m.loopTidy);
  line('writing the output:', m.floor);
  line('writing the output, reused:', m.reusedFloor);
  line('per-sample gradient norms:', m.norms);
  const ratio = (of: Summary) => `${(m.loop.wall / of.wall).toFixed(2)}x (CPU time ${(m.loop.cpu / of.cpu).toFixed(2)}x)`;
  console.log(`ratio loop / vmap: ${ratio(m.vmap)}; loop / vmap with reuseOutputs: ${ratio(m.reusing)}`);
  const tidyRatio = `${(m.loopTidy.wall / m.tidy.wall).toFixed(2)}x (CPU time ${(m.loopTidy.cpu / m.tidy.cpu).toFixed(2)}x)`;
  console.log(`ratio loop / vmap, both with tidy and dispose: ${tidyRatio}; loop (without) / vmap with tidy: ${ratio(m.tidy)}`);
  console.log(
    `(writing the output: fresh arrays of the per-sample gradients' sizes, one per parameter, each written once by fill(): ` +
      `what any variant that returns them as [batch, ...] tensors in fresh memory pays at least; loop / that floor ` +
      `${ratio(m.floor)}; reused: the same arrays written again, the floor under reuseOutputs, loop / it ${ratio(m.reusedFloor)})`,
  );
  console.log(
    `(per-sample gradient norms: each sample's gradient norm by the rank-one identity, no per-sample gradient formed; ` +
      `a different result, for DP-SGD's clipping, not a substitute for the gradients: loop / it ${ratio(m.norms)})`,
  );
  const mem = { vmap: memoryOf('vmap', options), reusing: memoryOf('reusing', options), loop: memoryOf('loop', options) };
  for (const mode of ['vmap', 'reusing', 'loop'] as const) {
    console.log(
      `memory, ${mode.padEnd(7)}: peak RSS ${mem[mode].maxRssMB.toFixed(0)} MB (a fresh process, one warm-up call and one measured), ` +
        `kept by the result ${mem[mode].retainedMB.toFixed(0)} MB`,
    );
  }
  const outputMB = (options.batch * gradientsPerSample * (options.dtype === 'float32' ? 4 : 8)) / 2 ** 20;
  console.log(`(the per-sample gradients themselves take ${outputMB.toFixed(0)} MB)`);
}

/** The cost of one call: wall time, CPU time in the process and in the kernel for it, and minor page faults. */
interface Cost {
  readonly wall: number;
  readonly user: number;
  readonly system: number;
  readonly faults: number;
}

function costOf(run: () => unknown): Cost {
  const r0 = process.resourceUsage();
  const t0 = performance.now();
  run();
  const wall = performance.now() - t0;
  const r1 = process.resourceUsage();
  return {
    wall,
    user: (r1.userCPUTime - r0.userCPUTime) / 1000,
    system: (r1.systemCPUTime - r0.systemCPUTime) / 1000,
    faults: r1.minorPageFault - r0.minorPageFault,
  };
}

interface Summary {
  readonly wall: number;
  readonly range: string;
  readonly user: number;
  readonly system: number;
  readonly cpu: number;
  readonly faults: number;
}

/** Medians of each measure (each taken on its own). */
function summarize(costs: readonly Cost[]): Summary {
  const of = (pick: (c: Cost) => number) => median(costs.map(pick).sort((a, b) => a - b));
  const walls = costs.map((c) => c.wall).sort((a, b) => a - b);
  return {
    wall: of((c) => c.wall),
    range: `${walls[0].toFixed(1)}-${walls[walls.length - 1].toFixed(1)}`,
    user: of((c) => c.user),
    system: of((c) => c.system),
    cpu: of((c) => c.user + c.system),
    faults: of((c) => c.faults),
  };
}

/**
 * The floor under both variants: allocating arrays the size of the per-sample gradients (one per parameter,
 * [batch, ...parameter shape], the parameters' array type) and writing every element once, natively (`fill`).
 */
export function writeOutputs(
  params: Params,
  batch: number,
  into?: readonly (Float32Array | Float64Array)[],
): (Float32Array | Float64Array)[] {
  return params.map((p, i) => {
    const out = into?.[i] ?? new (p.data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(batch * p.size);
    return out.fill(1);
  });
}

async function loadAverage(): Promise<string[]> {
  const os = await import('node:os');
  return os.loadavg().map((v) => v.toFixed(2));
}

// Run as a script, not when imported (the bench's tests import it).
if (/per-sample-grads\.[jt]s$/.test(process.argv[1] ?? '')) void main();
