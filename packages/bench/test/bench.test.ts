// The benchmark's own machinery: the yardstick it measures against must compute the right gradients, the peers
// must start from the same point, and the report must say what the timings say.
import { type Scalar, scalar } from '@tapegrad/core';
import { benchCases, matmulSize } from '../src/cases';
import { scalarMlpData, seededUniform } from '../src/data';
import { Value, countScalarMlpNodes, referenceParams, scalarMlpLoss } from '../src/micrograd-reference';
import type { Timing } from '../src/measure';
import { disagreement, normsOfLoop, problem, viaLoop, viaNorms, viaVmap, viaVmapReusing, writeOutputs } from '../src/per-sample-grads';
import { findPythonWithTorch, pytorchPeer } from '../src/peers/pytorch';
import { lenetRunner as tapegradLenet, tapegradPeer } from '../src/peers/tapegrad';
import { lenetRunner as tfjsLenet, tfjsCpuPeer, tfjsWasm1Peer } from '../src/peers/tfjs';
import { parseSvg } from '../../examples/test/svg';
import { speedupChart } from '../src/chart';
import { type BenchRun, agreement, markdownTable, speedup, spliceSection, DOC_END, DOC_START } from '../src/report';
import { floorResults, floorsTable } from '../src/floors';

const cases = benchCases(true, countScalarMlpNodes(scalarMlpData()));
const byId = (id: string) => cases.find((c) => c.id === id)!;

describe('the closure-based micrograd reference', () => {
  it('gets the gradients of a small expression right (closed form)', () => {
    // f = tanh(a*b + c) - 2; df/da = b (1 - tanh^2), df/dc = 1 - tanh^2.
    const a = new Value(0.3),
      b = new Value(-1.2),
      c = new Value(0.5);
    const f = a.mul(b).add(c).tanh().sub(2);
    f.backward();
    const t = Math.tanh(0.3 * -1.2 + 0.5);
    expect(f.data).toBeCloseTo(t - 2, 15);
    expect(a.grad).toBeCloseTo(-1.2 * (1 - t * t), 15);
    expect(b.grad).toBeCloseTo(0.3 * (1 - t * t), 15);
    expect(c.grad).toBeCloseTo(1 - t * t, 15);
  });

  it('matches a central-difference gradient on the W3 loss, for a sample of weights', () => {
    const data = scalarMlpData(10);
    const params = referenceParams(data);
    scalarMlpLoss(params, data).backward();
    const flat = params.flat(2);
    for (const i of [0, 7, 40, 100, flat.length - 1]) {
      const w = flat[i].data;
      // A forward pass reads the parameters' current data, so nudging one Value in place is enough.
      const at = (v: number): number => {
        flat[i].data = v;
        return scalarMlpLoss(params, data).data;
      };
      const numeric = (at(w + 1e-6) - at(w - 1e-6)) / 2e-6;
      flat[i].data = w;
      expect(flat[i].grad).toBeCloseTo(numeric, 5);
    }
  });

  it('and tapegrad Scalars build the same W3 graph: same loss and the same gradients', () => {
    const data = scalarMlpData(10);
    const ref = referenceParams(data);
    const refLoss = scalarMlpLoss(ref, data);
    refLoss.backward();
    const ours = data.weights.map((layer) => layer.map((neuron) => neuron.map((w) => scalar(w))));
    const loss = scalarMlpLoss<Scalar>(ours, data);
    loss.backward();
    expect(loss.value).toBeCloseTo(refLoss.data, 12);
    const a = ours.flat(2).map((p) => p.grad);
    const b = ref.flat(2).map((p) => p.grad);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 12);
  });
});

describe('the seeded inputs', () => {
  it('are reproducible and uniform in [0, 1)', () => {
    const x = seededUniform(7),
      y = seededUniform(7);
    const xs = Array.from({ length: 1000 }, x);
    expect(xs).toEqual(Array.from({ length: 1000 }, y));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, v) => s + v, 0) / 1000).toBeCloseTo(0.5, 1);
  });
});

describe('tapegrad and TF.js start from the same point', () => {
  beforeAll(() => tfjsCpuPeer.init());

  it.each(['W1', 'W2-256', 'W4'])('%s: the first iteration gives the same value as tfjs-cpu within float32 tolerance', async (id) => {
    const c = byId(id);
    const ours = (await tapegradPeer.prepare(c)).step();
    const theirs = (await tfjsCpuPeer.prepare(c)).step();
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(c.rtol * Math.max(1, Math.abs(theirs)));
  });

  it('W5 (on a batch of 2: TF.js-cpu takes seconds per step of 64): the same loss at the first step and after three', () => {
    const ours = tapegradLenet(2);
    const theirs = tfjsLenet(2);
    const first = [ours.step(), theirs.step()];
    expect(Math.abs(first[0] - first[1])).toBeLessThanOrEqual(1e-4 * first[1]);
    ours.step();
    theirs.step();
    const third = [ours.step(), theirs.step()];
    expect(third[0]).not.toBeCloseTo(first[0], 3); // the steps changed the weights
    expect(Math.abs(third[0] - third[1])).toBeLessThanOrEqual(1e-4 * third[1]);
  });

  it('W1: the loss after ten SGD steps agrees too, so the updates are the same', async () => {
    const ours = await tapegradPeer.prepare(byId('W1'));
    const theirs = await tfjsCpuPeer.prepare(byId('W1'));
    let a = 0,
      b = 0;
    for (let i = 0; i < 10; i++) {
      a = ours.step();
      b = theirs.step();
    }
    expect(Number.isFinite(a)).toBe(true);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-4 * Math.abs(b));
  });
});

describe('W6: the transformer block in tapegrad and in TF.js ops', () => {
  // TF.js's wasm backend: its cpu backend takes close to a minute for this block.
  beforeAll(() => tfjsWasm1Peer.init());
  afterAll(() => tfjsCpuPeer.init());

  it('gives the same loss from the same input and weights (mean(out^2) over 131,072 outputs)', async () => {
    const c = byId('W6');
    const ours = (await tapegradPeer.prepare(c)).step();
    const theirs = (await tfjsWasm1Peer.prepare(c)).step();
    expect(ours).toBeGreaterThan(0.1); // the input alone has mean square 1/3; the residual branches move it
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(c.rtol * Math.abs(theirs));
  });
});

// PyTorch (Debian's python3-torch) from the same arrays: its step-1 values must be tapegrad's, as the harness checks.
const torch = findPythonWithTorch();
if (torch.python === undefined) console.log(`PyTorch step-1 checks skipped: ${torch.reason}`);
(torch.python === undefined ? describe.skip : describe)('tapegrad and PyTorch start from the same point', () => {
  const peer = pytorchPeer(1);
  beforeAll(() => peer.init(), 120_000);
  afterAll(() => peer.close?.());

  it.each(['W1', 'W1-f64', 'W2-256', 'W4'])(
    "%s: PyTorch's first iteration gives tapegrad's value within the case tolerance",
    async (id) => {
      const c = byId(id);
      const ours = (await tapegradPeer.prepare(c)).step();
      const theirs = (await peer.prepare(c)).remote!.firstValue;
      expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(c.rtol * Math.max(1, Math.abs(theirs)));
    },
  );

  it('times its own iterations and hands back a slice of them', async () => {
    const runner = await peer.prepare(byId('W2-256'));
    const slice = await runner.remote!.timeSlice({ minIterations: 3, minSeconds: 0, maxIterations: 3 });
    expect(slice.samples).toHaveLength(3);
    expect(slice.samples.every((t) => t > 0 && t < 10)).toBe(true);
  });
});

describe('the cases', () => {
  it("give W2's matrix size from the case id, and refuse a case that is not W2", () => {
    expect(cases.filter((c) => c.workload === 'W2').map(matmulSize)).toEqual([256, 512, 1024]);
    expect(() => matmulSize(byId('W3'))).toThrow("matmulSize: 'W3' is not a W2-n case");
  });
});

describe("the MNIST epoch: the main job's model on its digits, tapegrad and TF.js from the same weights", () => {
  // Three batches instead of the epoch's 63 keep the test fast; the batches and the model are the real ones.
  const threeBatches = { ...byId('MNIST'), batches: 3 };
  beforeAll(() => tfjsCpuPeer.init());

  it('is one case selected by --only MNIST, a whole epoch per iteration in a full run', () => {
    const full = benchCases(false, 1).find((c) => c.workload === 'MNIST')!;
    expect(full.id).toBe('MNIST');
    expect(full.unit).toBe('ms/epoch');
    expect(full.batches).toBe(63);
    expect(full.budget.warmup).toBeGreaterThanOrEqual(1);
    expect(full.budget.minIterations).toBeGreaterThanOrEqual(2);
    expect(byId('MNIST').title).toMatch(/quick/);
  });

  it('gives the same first-batch loss as tfjs-cpu, near ln 10 for an untrained model, and the same after three Adam steps', async () => {
    const ours = await tapegradPeer.prepare(threeBatches);
    const theirs = await tfjsCpuPeer.prepare(threeBatches);
    const first = [ours.step(), theirs.step()];
    // He-uniform weights on 0..1 pixels give logits of order 1: the loss is near, not at, ln 10.
    expect(first[0]).toBeGreaterThan(1.5);
    expect(first[0]).toBeLessThan(4);
    expect(Math.abs(first[0] - first[1])).toBeLessThanOrEqual(threeBatches.rtol * first[1]);
    // Each step() returns its pass's first-batch loss: the second pass starts after three Adam updates.
    const after = [ours.step(), theirs.step()];
    expect(after[0]).toBeLessThan(first[0]);
    // Float32 rounding in the two backends' sums drifts apart by a few 1e-6 (relative) over three steps.
    expect(Math.abs(after[0] - after[1])).toBeLessThanOrEqual(threeBatches.rtol * after[1]);
    theirs.dispose?.();
  });
});

describe('the report', () => {
  const timing = (median: number, firstValue: number): Timing => ({
    firstValue,
    iterations: 3,
    median,
    min: median,
    max: median,
    gcFraction: 0,
  });
  const run = (values: Record<string, Timing>): BenchRun => ({
    date: '',
    command: '',
    quick: true,
    machine: { os: '', cpu: '', logicalCores: 2, memoryGiB: 1, node: '', v8: '', loadAverage: [0, 0, 0] },
    peers: Object.keys(values).map((id) => ({ id, label: id, note: '', failed: false })),
    results: [{ case: byId('W4'), timings: values, errors: {} }],
  });

  it("states speedups as the peer's time over tapegrad's", () => {
    const r = run({ tapegrad: timing(0.01, 5), 'tfjs-cpu': timing(0.03, 5) });
    expect(speedup(r, r.results[0], 'tfjs-cpu')).toBeCloseTo(3, 12);
  });

  it('reports tapegrad with 2 threads on its own case and as a speedup over 1 thread, not as a foreign peer', () => {
    const r = run({ tapegrad: timing(0.03, 5), 'tapegrad-2t': timing(0.02, 5), 'tfjs-cpu': timing(0.06, 5) });
    const [head, , row] = markdownTable(r)
      .split('\n')
      .map((l) => l.split(' | '));
    expect(head).toContain('tapegrad-2t vs tapegrad');
    expect(head).not.toContain('tapegrad vs tapegrad-2t');
    expect(row[head.indexOf('tapegrad-2t vs tapegrad')]).toBe('1.50x');
    expect(row[head.indexOf('tapegrad vs tfjs-cpu')]).toBe('2.00x');
  });

  it('flags step-1 values that differ beyond the tolerance', () => {
    const same = run({ tapegrad: timing(1, 100), 'tfjs-cpu': timing(1, 100.001) });
    expect(agreement(same, same.results[0]).ok).toBe(true);
    const off = run({ tapegrad: timing(1, 100), 'tfjs-cpu': timing(1, 101) });
    expect(agreement(off, off.results[0]).ok).toBe(false);
  });

  it("reads the issue's floors off the run: native W4 against PyTorch from medians and best times, unmeasured without the peers", () => {
    const r = run({
      tapegrad: timing(0.02, 5),
      'tapegrad-native': timing(0.012, 5),
      'pytorch-1': timing(0.01, 5),
      'tfjs-wasm-1': timing(0.05, 5),
    });
    const floors = floorResults(r);
    const w4native = floors.find((f) => f.what.startsWith('W4, native'))!;
    expect(w4native.median).toBeCloseTo(1.2, 12); // 12 ms against 10 ms: 1.2x slower, within 1.5x
    expect(w4native.met).toBe(true);
    const w4wasm = floors.find((f) => f.what.startsWith('W4, WebAssembly'))!;
    expect(w4wasm.median).toBeCloseTo(2.5, 12);
    expect(w4wasm.met).toBe(true);
    expect(floors.find((f) => f.what.startsWith('W1, native'))!.median).toBeUndefined();
    expect(floorsTable(r)).toMatch(
      /\| W1, native: PyTorch 1 thread time over tapegrad native \| not measured \| not measured \| at most 1.3x slower \| — \|/,
    );
  });

  it('replaces only the generated block of the document, or appends one', () => {
    const doc = `# Title\n\nintro\n\n${DOC_START}\nold table\n${DOC_END}\n\nafter\n`;
    expect(spliceSection(doc, 'new table')).toBe(`# Title\n\nintro\n\n${DOC_START}\nnew table\n${DOC_END}\n\nafter\n`);
    expect(spliceSection('# Title\n', 'T')).toBe(`# Title\n\n${DOC_START}\nT\n${DOC_END}\n`);
  });
});

describe('the chart', () => {
  const timing = (median: number): Timing => ({ firstValue: 5, iterations: 3, median, min: median, max: median, gcFraction: 0 });
  it("draws each peer's time over tapegrad's, from the same figures as the table", () => {
    const r: BenchRun = {
      date: '2026-12-05T00:00:00.000Z',
      command: '',
      quick: false,
      machine: { os: '', cpu: '', logicalCores: 2, memoryGiB: 1, node: '', v8: '', loadAverage: [0, 0, 0] },
      peers: ['tapegrad', 'tapegrad-2t', 'tfjs-cpu'].map((id) => ({ id, label: id, note: '', failed: false })),
      results: [
        { case: byId('W4'), timings: { tapegrad: timing(0.01), 'tapegrad-2t': timing(0.005), 'tfjs-cpu': timing(0.03) }, errors: {} },
      ],
    };
    const texts = parseSvg(speedupChart(r)).texts.map((t) => t.text);
    expect(texts).toEqual(expect.arrayContaining(['W4', 'tfjs-cpu', 'tapegrad-2t', '3x', '0.5x']));
    expect(texts).not.toContain('tapegrad'); // tapegrad is the reference line, not a bar
  });
});

describe('the per-sample gradient benchmark', () => {
  it('computes the same per-sample gradients by vmap as by the loop of grad calls, shaped [batch, ...parameter]', () => {
    const { params, xs, ys } = problem(3, 'float64');
    const batched = viaVmap(params, xs, ys);
    expect(batched.map((g) => g.shape)).toEqual(params.map((p) => [3, ...p.shape]));
    expect(disagreement(batched, viaLoop(params, xs, ys))).toBeLessThan(1e-12);
  });

  it('with reuseOutputs, gives the same per-sample gradients call after call, in the memory of the previous call', () => {
    const { params, xs, ys } = problem(3, 'float64');
    const loop = viaLoop(params, xs, ys);
    const first = viaVmapReusing(params, xs, ys);
    const firstW1 = first[0].data;
    const second = viaVmapReusing(params, xs, ys);
    expect(disagreement(second, loop)).toBeLessThan(1e-12);
    // w1's per-sample gradients (3 x 784 x 256) are large enough to be reused; the first call's are then unreadable.
    expect(second[0].data === firstW1).toBe(true);
    expect(() => first[0].data).toThrow(/reuseOutputs/);
  });

  it("gives each sample's gradient norm by the rank-one identity, equal to the norm of the loop's gradients", () => {
    const { params, xs, ys } = problem(4, 'float64', 3);
    const norms = viaNorms(params, xs, ys);
    expect(norms.shape).toEqual([4]);
    // The loop's per-sample gradients, each summed element by element: no identity involved.
    const expected = normsOfLoop(viaLoop(params, xs, ys));
    expect(Array.from(norms.data)).toBeAllClose(Array.from(expected), { rtol: 1e-12, atol: 0 });
    // Distinct samples, distinct norms (a norm of the batch's mean gradient would give four equal values).
    expect(new Set(Array.from(norms.data)).size).toBe(4);
  });

  it("measures its floor on arrays of the per-sample gradients' sizes and types, every element written", () => {
    const { params } = problem(3, 'float32');
    const outs = writeOutputs(params, 3);
    expect(outs.map((o) => o.length)).toEqual(params.map((p) => 3 * p.size));
    expect(outs.every((o) => o instanceof Float32Array && Array.from(o).every((v) => v === 1))).toBe(true);
  });
});
