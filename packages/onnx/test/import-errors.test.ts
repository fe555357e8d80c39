/** What importOnnx refuses: each refusal is an OnnxImportError that names the node or the part of the file at fault. */
import { TapegradError } from '@tapegrad/core';
import { OnnxImportError, importOnnx } from '@tapegrad/onnx';
import { type ModelProto, type NodeProto, type TensorProto, encodeModelProto } from '../src/proto/onnx';

const FLOAT = 1;
const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const init = (name: string, dims: number[], values: number[]): TensorProto => ({ name, dims, data_type: FLOAT, raw_data: f32(values) });
const io = (name: string, dims: number) => ({
  name,
  type: { tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_param: 'batch' }, { dim_value: dims }] } } },
});

/** A model whose graph is `nodes` from input x [batch, 2] to output y, with a [2, 2] weight W and bias b. */
function model(nodes: NodeProto[], extra: Partial<ModelProto['graph']> = {}, opset = 17): Uint8Array {
  return encodeModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: [init('W', [2, 2], [1, 2, 3, 4]), init('b', [2], [0.5, -0.5])],
      input: [io('x', 2)],
      output: [io('y', 2)],
      ...extra,
    },
  });
}

function importError(bytes: Uint8Array): string {
  try {
    importOnnx(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxImportError);
    expect(e).toBeInstanceOf(TapegradError);
    return (e as Error).message;
  }
  throw new Error('importOnnx did not throw');
}

test('the well-formed model these cases start from imports', () => {
  const m = importOnnx(model([{ op_type: 'Gemm', input: ['x', 'W', 'b'], output: ['y'], attribute: [] }]));
  expect(m.layers.map((l) => l.constructor.name)).toEqual(['Linear']);
});

describe('bytes that are not a model', () => {
  test('random bytes', () => {
    expect(importError(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12]))).toMatch(/^importOnnx: the bytes are not an ONNX model \(/);
  });
  test('no bytes at all: a model with no graph', () => {
    expect(importError(new Uint8Array(0))).toBe('importOnnx: the model has no graph');
  });
  test('a string instead of bytes', () => {
    expect(importError('model.onnx' as unknown as Uint8Array)).toBe("importOnnx: expected the model's bytes as a Uint8Array, got string");
  });
  test('no default-domain opset', () => {
    const bytes = encodeModelProto({ ir_version: 8, opset_import: [{ domain: 'com.example', version: 1 }], graph: { name: 'g' } });
    expect(importError(bytes)).toBe('importOnnx: the model imports no version of the default ONNX operator set');
  });
});

describe('graphs that are not a chain of known layers', () => {
  test('an operator with no module is named with its node', () => {
    expect(importError(model([{ name: 'conv1', op_type: 'Conv', input: ['x', 'W'], output: ['y'] }]))).toMatch(
      /^importOnnx: node 0 'conv1' \(Conv\): no tapegrad module computes Conv; importOnnx reads Gemm, MatMul, Add, Relu/,
    );
  });
  test('a node that does not take the previous output (a branch)', () => {
    const nodes: NodeProto[] = [
      { op_type: 'Relu', input: ['x'], output: ['r'] },
      { op_type: 'Sigmoid', input: ['x'], output: ['y'] },
    ];
    expect(importError(model(nodes))).toBe(
      "importOnnx: node 1 (Sigmoid): it does not take the previous layer's output 'r'; importOnnx reads a chain of layers",
    );
  });
  test('a weight that is computed, not constant', () => {
    expect(importError(model([{ op_type: 'MatMul', input: ['x', 'x'], output: ['y'] }]))).toMatch(
      /node 0 \(MatMul\): input 1 'x' is not a constant/,
    );
  });
  test('an Add that is not the bias of a MatMul', () => {
    const nodes: NodeProto[] = [
      { op_type: 'Relu', input: ['x'], output: ['r'] },
      { op_type: 'Add', input: ['r', 'b'], output: ['y'] },
    ];
    expect(importError(model(nodes))).toMatch(
      /node 1 \(Add\): an Add of a constant is read only as the bias of the MatMul right before it/,
    );
  });
  test('layers whose sizes do not fit', () => {
    const nodes: NodeProto[] = [
      { op_type: 'Gemm', input: ['x', 'W'], output: ['h'], attribute: [] },
      { op_type: 'Gemm', input: ['h', 'W3'], output: ['y'], attribute: [] },
    ];
    expect(importError(model(nodes, { initializer: [init('W', [2, 2], [1, 2, 3, 4]), init('W3', [3, 2], [1, 2, 3, 4, 5, 6])] }))).toMatch(
      /node 1 \(Gemm\): it takes 3 features; the layer before gives 2/,
    );
  });
  test('BatchNormalization in training mode', () => {
    const stats = ['s', 'B', 'm', 'v'].map((n) => init(n, [2], [1, 1]));
    const node: NodeProto = {
      op_type: 'BatchNormalization',
      input: ['x', 's', 'B', 'm', 'v'],
      output: ['y'],
      attribute: [{ name: 'training_mode', type: 2, i: 1 }],
    };
    expect(importError(model([node], { initializer: stats }))).toMatch(/training_mode = 1 is not an inference graph/);
  });
  test('a custom-domain operator', () => {
    expect(importError(model([{ op_type: 'Relu', domain: 'com.microsoft', input: ['x'], output: ['y'] }]))).toMatch(
      /node 0 \(Relu\): operators of domain 'com.microsoft' are not read/,
    );
  });
  test('two inputs', () => {
    expect(importError(model([], { input: [io('x', 2), io('z', 2)] }))).toBe(
      'importOnnx: a chain of layers has one input and one output; this graph has 2 and 1',
    );
  });
  test('an output that is not the last layer', () => {
    expect(importError(model([{ op_type: 'Relu', input: ['x'], output: ['r'] }]))).toBe(
      "importOnnx: the graph's output 'y' is not the last layer's output 'r'",
    );
  });
});

describe('initializers that do not hold what they claim', () => {
  const gemm: NodeProto[] = [{ op_type: 'Gemm', input: ['x', 'W', 'b'], output: ['y'], attribute: [] }];
  test('too few bytes for the dims', () => {
    expect(importError(model(gemm, { initializer: [init('W', [2, 2], [1, 2, 3]), init('b', [2], [0, 0])] }))).toBe(
      "importOnnx: initializer 'W' has 12 bytes of data for dims [2, 2] (16 expected)",
    );
  });
  test('dims of a trillion elements with a few bytes, refused before anything is allocated', () => {
    expect(importError(model(gemm, { initializer: [init('W', [1_000_000, 1_000_000], [1, 2, 3, 4]), init('b', [2], [0, 0])] }))).toMatch(
      /initializer 'W' has 16 bytes of data for dims \[1000000, 1000000\]/,
    );
  });
  test('negative dims', () => {
    expect(importError(model(gemm, { initializer: [init('W', [-2, -2], [1, 2, 3, 4]), init('b', [2], [0, 0])] }))).toBe(
      "importOnnx: initializer 'W' has invalid dims [-2, -2]",
    );
  });
  test('data in an external file', () => {
    const external: TensorProto = { name: 'W', dims: [2, 2], data_type: FLOAT, data_location: 1 };
    expect(importError(model(gemm, { initializer: [external, init('b', [2], [0, 0])] }))).toBe(
      "importOnnx: initializer 'W' keeps its data in an external file, which is not supported",
    );
  });
  test('a string tensor', () => {
    expect(importError(model(gemm, { initializer: [{ name: 'W', dims: [2, 2], data_type: 8 }, init('b', [2], [0, 0])] }))).toMatch(
      /initializer 'W' has data type 8; only float, double, int32 and int64 constants are read/,
    );
  });
});
