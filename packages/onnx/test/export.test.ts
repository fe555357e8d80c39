/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/**
 * Every exportable model, run in ONNX Runtime (onnxruntime-node) on seeded random inputs of several batch sizes
 * through the one exported file (the batch axis is dynamic), agrees with tapegrad's eval-mode forward to 1e-5.
 */
import * as ort from 'onnxruntime-node';
import { Generator, type Tensor, noGrad } from '@tapegrad/core';
import { Dropout, Linear, MLP, Module, ReLU, Sequential, Softmax } from '@tapegrad/nn';
import { SUPPORTED_OPSETS, exportOnnx, registerOnnxExporter } from '@tapegrad/onnx';
import { type ValueInfoProto, decodeModelProto } from '../src/proto/onnx';
import { CASES } from './models';
import { maxAbsDifference, runOrt, seededInput } from './ort';

const BATCHES = [1, 3, 64];
const TOLERANCE = 1e-5;

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const model = c.build();
  const bytes = exportOnnx(model, { inputShape: c.inputShape });
  test.each(BATCHES)('matches tapegrad within 1e-5 for a batch of %i', async (batch) => {
    const difference = await maxAbsDifference(model, bytes, seededInput([batch, ...c.sample], 100 + batch));
    expect(difference).toBeLessThanOrEqual(TOLERANCE);
  });
});

test('each supported opset (17 to 21) loads in ONNX Runtime and computes the same', async () => {
  const model = new MLP([12, 9, 4], { activation: 'tanh', dtype: 'float32', generator: new Generator(7) });
  const input = seededInput([5, 12], 8);
  expect(Object.keys(SUPPORTED_OPSETS).map(Number)).toEqual([17, 18, 19, 20, 21]);
  for (const opset of Object.keys(SUPPORTED_OPSETS).map(Number)) {
    const bytes = exportOnnx(model, { inputShape: [null, 12], opset });
    const decoded = decodeModelProto(bytes);
    expect(decoded.opset_import).toEqual([{ domain: '', version: opset }]);
    expect(decoded.ir_version).toBe(SUPPORTED_OPSETS[opset]);
    expect(await maxAbsDifference(model, bytes, input)).toBeLessThanOrEqual(TOLERANCE);
  }
});

test('the input and output carry the given names, and the batch axis is symbolic in both', async () => {
  const model = new MLP([4, 3], { dtype: 'float32', generator: new Generator(9) });
  const bytes = exportOnnx(model, { inputShape: [null, 4], inputName: 'pixels', outputName: 'logits' });
  const session = await ort.InferenceSession.create(bytes);
  expect(session.inputNames).toEqual(['pixels']);
  expect(session.outputNames).toEqual(['logits']);
  await session.release();
  const graph = decodeModelProto(bytes).graph!;
  const dims = (v: ValueInfoProto) => v.type!.tensor_type!.shape!.dim;
  expect(dims(graph.input![0])).toEqual([{ dim_param: 'batch' }, { dim_value: 4 }]);
  expect(dims(graph.output![0])).toEqual([{ dim_param: 'batch' }, { dim_value: 3 }]);
  const input = seededInput([2, 4], 10);
  const out = await runOrt(bytes, input, { input: 'pixels', output: 'logits' });
  expect([...out.dims]).toEqual([2, 3]);
});

test('the weights are float32 initializers named by their state-dict keys, rounded from float64', () => {
  const model = new Sequential(
    new Linear(3, 2, { generator: new Generator(11) }),
    new ReLU(),
    new Linear(2, 1, { generator: new Generator(12) }),
  );
  const graph = decodeModelProto(exportOnnx(model, { inputShape: [null, 3] })).graph!;
  const state = model.stateDict();
  expect(graph.initializer!.map((t) => t.name).sort()).toEqual(Object.keys(state).sort());
  for (const t of graph.initializer!) {
    expect(t.data_type).toBe(1); // TensorProto.FLOAT
    expect(t.dims).toEqual(state[t.name!].shape);
    const raw = t.raw_data!;
    const values = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const expected = [...state[t.name!].data].map(Math.fround);
    expect(Array.from({ length: expected.length }, (_, i) => values.getFloat32(4 * i, true))).toEqual(expected);
  }
  expect(graph.node!.map((n) => n.op_type)).toEqual(['Gemm', 'Relu', 'Gemm']);
});

test('a model in training mode exports its inference computation and stays in training mode', async () => {
  const model = new Sequential(new Linear(5, 5, { dtype: 'float32', generator: new Generator(13) }), new Dropout(0.5), new Softmax());
  expect(model.training).toBe(true);
  const bytes = exportOnnx(model, { inputShape: [null, 5] });
  expect(model.training).toBe(true);
  expect(decodeModelProto(bytes).graph!.node!.map((n) => n.op_type)).toEqual(['Gemm', 'Softmax']);
  expect(await maxAbsDifference(model, bytes, seededInput([4, 5], 14))).toBeLessThanOrEqual(TOLERANCE);
});

test('registerOnnxExporter adds a module of your own, which ONNX Runtime then computes', async () => {
  class ScaledTanh extends Module {
    constructor(readonly scale: number) {
      super();
    }
    forward(x: Tensor): Tensor {
      return x.tanh().mul(this.scale);
    }
  }
  registerOnnxExporter(ScaledTanh, (m, x, graph, path) => {
    const t = graph.node('Tanh', [x.name], x.shape, { scope: path });
    const scale = graph.initializer(`${path}.scale`, [m.scale], []);
    return graph.node('Mul', [t.name, scale], x.shape, { scope: path });
  });
  const model = new Sequential(new Linear(4, 4, { dtype: 'float32', generator: new Generator(15) }), new ScaledTanh(2.5));
  const bytes = exportOnnx(model, { inputShape: [null, 4] });
  const input = seededInput([3, 4], 16);
  const expected = noGrad(() => model.forward(input));
  expect(expected.data.some((v) => Math.abs(v) > 1)).toBe(true); // the scale is visible in the output
  expect(await maxAbsDifference(model, bytes, input)).toBeLessThanOrEqual(TOLERANCE);
});

test('metadata, doc string and producer are written into the model', () => {
  const bytes = exportOnnx(new MLP([2, 2]), { inputShape: [null, 2], metadata: { dataset: 'mnist' }, docString: 'a test', graphName: 'g' });
  const model = decodeModelProto(bytes);
  expect(model.producer_name).toBe('tapegrad');
  expect(model.doc_string).toBe('a test');
  expect(model.graph!.name).toBe('g');
  expect(model.metadata_props).toEqual([{ key: 'dataset', value: 'mnist' }]);
});
