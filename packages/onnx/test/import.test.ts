/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/**
 * importOnnx rebuilds chains of layers as tapegrad modules that compute what ONNX Runtime computes on the same
 * file: files tapegrad exported (a round trip), files built node by node with the onnx package's helpers, and
 * an MLP exported by PyTorch, whose own outputs are the reference (fixtures/make-fixtures.py made all three).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, globalGenerator, noGrad, tensor } from '@tapegrad/core';
import { type BatchNorm1d, type LeakyReLU, type Linear, MLP, Sequential, type Softmax } from '@tapegrad/nn';
import { exportOnnx, importOnnx } from '@tapegrad/onnx';
import { loadOnnx } from '@tapegrad/onnx/node';
import { CASES } from './models';
import { runOrt, seededInput } from './ort';

const fixture = (name: string) => new Uint8Array(readFileSync(join(__dirname, 'fixtures', name)));

/** max |imported(x) - ONNX Runtime(x)| over a batch of 7 seeded inputs, with the graph's own input and output names. */
async function disagreement(bytes: Uint8Array, sample: readonly number[], names = { input: 'input', output: 'output' }): Promise<number> {
  const model = importOnnx(bytes);
  const x = seededInput([7, ...sample], 21);
  const ours = noGrad(() => model.forward(x)).data;
  const theirs = (await runOrt(bytes, x, names)).data as Float32Array;
  expect(theirs.length).toBe(ours.length);
  return Math.max(0, ...Array.from(theirs, (v, i) => Math.abs(v - ours[i])));
}

describe('a round trip through exportOnnx', () => {
  test.each(CASES.filter((c) => c.importable !== false).map((c) => [c.name, c] as const))(
    '%s: the imported model computes what ONNX Runtime does',
    async (_name, c) => {
      const bytes = exportOnnx(c.build(), { inputShape: c.inputShape });
      expect(await disagreement(bytes, c.sample)).toBeLessThanOrEqual(1e-5);
    },
  );

  test('a float32 MLP comes back with the same weights, bit for bit, and the same layers', () => {
    const original = new MLP([9, 6, 3], { activation: 'tanh', dtype: 'float32', generator: new Generator(31) });
    const imported = importOnnx(exportOnnx(original, { inputShape: [null, 9] }));
    expect(imported.layers.map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh', 'Linear']);
    const a = original.stateDict();
    const b = imported.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Array.from(b[k].data)).toEqual(Array.from(a[k].data));
    expect(b['0.weight'].dtype).toBe('float32');
    expect(imported.training).toBe(false);
  });

  test('with dtype float64 the parameters are float64', () => {
    const imported = importOnnx(exportOnnx(new MLP([2, 2]), { inputShape: [null, 2] }), { dtype: 'float64' });
    expect(imported.parameters().every((p) => p.dtype === 'float64')).toBe(true);
  });
});

describe('files written by other tools', () => {
  test('Gemm with transB = 0, alpha, beta and a [1, out] bias in float_data; default LeakyRelu; opset-11 Softmax', async () => {
    const bytes = fixture('helper-gemm.onnx');
    const model = importOnnx(bytes);
    expect(model.layers.map((m) => m.constructor.name)).toEqual(['Linear', 'LeakyReLU', 'Linear', 'Softmax']);
    expect((model[1] as LeakyReLU).negativeSlope).toBeCloseTo(0.01, 7);
    expect((model[2] as Linear).bias).toBeNull();
    expect((model[3] as Softmax).axis).toBe(-1);
    expect(await disagreement(bytes, [5], { input: 'x', output: 'y' })).toBeLessThanOrEqual(1e-5);
  });

  test('MatMul with an Add written bias-first, a Constant bias, Dropout, Identity and BatchNormalization', async () => {
    const bytes = fixture('helper-matmul.onnx');
    const model = importOnnx(bytes);
    expect(model.layers.map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh', 'BatchNorm1d', 'Linear']);
    const bn = model[2] as BatchNorm1d;
    expect(bn.eps).toBeCloseTo(1e-3, 9);
    expect(bn.momentum).toBeCloseTo(0.2, 7); // ONNX momentum 0.8 weighs the running value
    expect(await disagreement(bytes, [3], { input: 'x', output: 'y' })).toBeLessThanOrEqual(1e-5);
  });

  test("an MLP exported by PyTorch computes PyTorch's outputs", async () => {
    const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'torch-mlp.json'), 'utf8')) as {
      input: number[][];
      output: number[][];
    };
    const model = await loadOnnx(join(__dirname, 'fixtures', 'torch-mlp.onnx'));
    expect(Object.keys(model.stateDict()).sort()).toEqual([
      '0.bias',
      '0.weight',
      '2.bias',
      '2.weight',
      '4.bias',
      '4.running_mean',
      '4.running_var',
      '4.weight',
      '5.bias',
      '5.weight',
    ]);
    const out = noGrad(() => model.forward(tensor(reference.input, { dtype: 'float32' }))).toArray() as number[][];
    const worst = Math.max(...out.flatMap((row, i) => row.map((v, j) => Math.abs(v - reference.output[i][j]))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

test('importing leaves the global random stream where it was', () => {
  const bytes = exportOnnx(new MLP([30, 20, 10], { generator: new Generator(1) }), { inputShape: [null, 30] });
  globalGenerator.seed(5);
  const expected = new Generator(5).uniform();
  importOnnx(bytes);
  expect(globalGenerator.uniform()).toBe(expected);
});

test('the imported model is a Sequential that exports again to the same computation', async () => {
  const once = importOnnx(fixture('torch-mlp.onnx'));
  expect(once).toBeInstanceOf(Sequential);
  const again = exportOnnx(once, { inputShape: [null, 6] });
  expect(await disagreement(again, [6])).toBeLessThanOrEqual(1e-5);
});
