/**
 * importOnnx: an ONNX model that is a chain of layers (an MLP, as tapegrad, PyTorch or the onnx Python helpers
 * write it) rebuilt as a Sequential of tapegrad modules with its weights. The reading side of the exporter's table:
 * ONNX operator -> the function that turns one node into a layer.
 */
import { type DType, Generator, tensor } from '@tapegrad/core';
import { BatchNorm1d, LeakyReLU, Linear, type Module, ReLU, Sequential, Sigmoid, Softmax, type StateDict, Tanh } from '@tapegrad/nn';
import { OnnxImportError } from '../errors.js';
import { type AttributeProto, AttributeType, DataType, type ModelProto, type NodeProto, decodeModelProto } from '../proto/onnx.js';
import { type Constant, readTensor } from './tensors.js';

/** Options of {@link importOnnx}. @example importOnnx(bytes, { dtype: 'float64' }) */
export interface ImportOnnxOptions {
  /** The dtype of the rebuilt parameters (default float32, the model's own precision). */
  readonly dtype?: 'float32' | 'float64';
}

/** A layer read from the graph, before it becomes a module: Linear stays open so a following Add can be its bias. */
type Layer =
  | { kind: 'linear'; weight: Float64Array; inFeatures: number; outFeatures: number; bias: Float64Array | null; fromMatMul: boolean }
  | { kind: 'batchNorm'; features: number; eps: number; momentum: number; stats: Float64Array[] }
  | { kind: 'module'; module: Module };

/** What an operator's reader sees (every supported operator keeps the rank of the value it takes): the node, its constant inputs and attributes, and the layers read so far. */
interface NodeReader {
  readonly node: NodeProto;
  readonly where: string;
  readonly opset: number;
  /** The rank of the value flowing through the chain, when the graph's input states it. */
  readonly rank: number | null;
  readonly layers: Layer[];
  /** Which input is the value flowing through the chain (0 except for an Add written b + y). */
  readonly chainInput: number;
  /** The constant feeding input `index` (an initializer or a Constant node's value). */
  constant(index: number): Constant;
  attribute(name: string): AttributeProto | undefined;
  fail(message: string): never;
}

function intAttribute(r: NodeReader, name: string, fallback: number): number {
  const a = r.attribute(name);
  if (a === undefined) return fallback;
  if (a.type !== AttributeType.INT) r.fail(`attribute ${name} is not an int`);
  return a.i ?? 0;
}

function floatAttribute(r: NodeReader, name: string, fallback: number): number {
  const a = r.attribute(name);
  if (a === undefined) return fallback;
  if (a.type !== AttributeType.FLOAT) r.fail(`attribute ${name} is not a float`);
  return a.f ?? 0;
}

/** A bias given as [out], [1, out], [] or [1], broadcast to [out]. */
function biasOf(r: NodeReader, c: Constant, out: number): Float64Array {
  if (c.values.length === out) return c.values;
  if (c.values.length === 1) return new Float64Array(out).fill(c.values[0]);
  return r.fail(`the bias has dims [${c.dims.join(', ')}], which do not broadcast to [${out}]`);
}

/** Y = alpha * A B' + beta * C with A the chain's value and B' = B or Bᵀ: a Linear with alpha and beta folded in. */
function gemm(r: NodeReader): Layer {
  if (r.rank !== null && r.rank !== 2) r.fail(`Gemm takes a 2-D input; the value here has rank ${r.rank}`);
  if (intAttribute(r, 'transA', 0) !== 0) r.fail('transA = 1 (the input transposed) has no Linear equivalent');
  const alpha = floatAttribute(r, 'alpha', 1);
  const beta = floatAttribute(r, 'beta', 1);
  const b = r.constant(1);
  if (b.dims.length !== 2) r.fail(`B has dims [${b.dims.join(', ')}]; a 2-D weight was expected`);
  const transB = intAttribute(r, 'transB', 0) !== 0;
  const [outFeatures, inFeatures] = transB ? b.dims : [b.dims[1], b.dims[0]];
  const weight = new Float64Array(outFeatures * inFeatures);
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) weight[o * inFeatures + i] = alpha * b.values[transB ? o * inFeatures + i : i * outFeatures + o];
  }
  const c = r.node.input!.length > 2 && r.node.input![2] !== '' ? biasOf(r, r.constant(2), outFeatures).map((v) => beta * v) : null;
  return { kind: 'linear', weight, inFeatures, outFeatures, bias: c, fromMatMul: false };
}

/** x W with W [in, out] constant: a Linear without bias, which an Add right after may give one. */
function matMul(r: NodeReader): Layer {
  const w = r.constant(1);
  if (w.dims.length !== 2) r.fail(`the weight has dims [${w.dims.join(', ')}]; a 2-D [in, out] weight was expected`);
  const [inFeatures, outFeatures] = w.dims;
  const weight = new Float64Array(outFeatures * inFeatures);
  for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) weight[o * inFeatures + i] = w.values[i * outFeatures + o];
  return { kind: 'linear', weight, inFeatures, outFeatures, bias: null, fromMatMul: true };
}

/** y + b right after a MatMul: the MatMul's bias. */
function add(r: NodeReader): null {
  const previous = r.layers[r.layers.length - 1];
  if (previous?.kind !== 'linear' || !previous.fromMatMul || previous.bias !== null) {
    r.fail('an Add of a constant is read only as the bias of the MatMul right before it');
  }
  previous.bias = biasOf(r, r.constant(r.chainInput === 0 ? 1 : 0), previous.outFeatures);
  return null;
}

function softmax(r: NodeReader): Layer {
  if (r.opset >= 13) return { kind: 'module', module: new Softmax(intAttribute(r, 'axis', -1)) };
  // Before opset 13, Softmax flattened the input to 2-D at `axis` (default 1): the last axis only for a 2-D input.
  const axis = intAttribute(r, 'axis', 1);
  if (r.rank === 2 && (axis === 1 || axis === -1)) return { kind: 'module', module: new Softmax(-1) };
  return r.fail(`opset ${r.opset} Softmax with axis ${axis} on a value of rank ${r.rank ?? 'unknown'} has no Softmax module equivalent`);
}

function batchNormalization(r: NodeReader): Layer {
  if (r.rank !== null && r.rank !== 2) r.fail(`only [batch, features] inputs are read (BatchNorm1d); the value here has rank ${r.rank}`);
  if (intAttribute(r, 'training_mode', 0) !== 0) r.fail('training_mode = 1 is not an inference graph');
  const stats = [1, 2, 3, 4].map((i) => r.constant(i).values);
  const features = stats[0].length;
  if (stats.some((s) => s.length !== features))
    r.fail(`scale, B, mean and var differ in length (${stats.map((s) => s.length).join(', ')})`);
  // ONNX's momentum weighs the running value (default 0.9); PyTorch's and tapegrad's weigh the new batch.
  return { kind: 'batchNorm', features, eps: floatAttribute(r, 'epsilon', 1e-5), momentum: 1 - floatAttribute(r, 'momentum', 0.9), stats };
}

const moduleLayer = (make: (r: NodeReader) => Module) => (r: NodeReader) => ({ kind: 'module', module: make(r) }) as const;

/** The table: ONNX operator -> the layer it becomes (null: nothing at inference, or merged into the previous layer). */
const READERS: Readonly<Record<string, (r: NodeReader) => Layer | null>> = {
  Gemm: gemm,
  MatMul: matMul,
  Add: add,
  Relu: moduleLayer(() => new ReLU()),
  Sigmoid: moduleLayer(() => new Sigmoid()),
  Tanh: moduleLayer(() => new Tanh()),
  LeakyRelu: moduleLayer((r) => new LeakyReLU(floatAttribute(r, 'alpha', 0.01))),
  Softmax: softmax,
  BatchNormalization: batchNormalization,
  Identity: () => null,
  Dropout: () => null,
};

function decode(bytes: Uint8Array): ModelProto {
  if (!(bytes instanceof Uint8Array))
    throw new OnnxImportError(`importOnnx: expected the model's bytes as a Uint8Array, got ${typeof bytes}`);
  try {
    return decodeModelProto(bytes);
  } catch (error) {
    throw new OnnxImportError(`importOnnx: the bytes are not an ONNX model (${(error as Error).message})`);
  }
}

function describe(node: NodeProto, index: number): string {
  return `node ${index}${node.name ? ` '${node.name}'` : ''} (${node.op_type})`;
}

/** The modules the layers become, and their weights as a state dict keyed by position in the Sequential. */
function build(layers: readonly Layer[], dtype: DType): { modules: Module[]; state: StateDict } {
  const state: StateDict = {};
  const put = (key: string, values: Float64Array, shape: number[]) => (state[key] = tensor(values, { shape, dtype }));
  // A fixed generator for the throwaway initial weights, so importing never advances the global random stream.
  const generator = new Generator(0);
  const modules = layers.map((layer, i): Module => {
    if (layer.kind === 'module') return layer.module;
    if (layer.kind === 'linear') {
      put(`${i}.weight`, layer.weight, [layer.outFeatures, layer.inFeatures]);
      if (layer.bias) put(`${i}.bias`, layer.bias, [layer.outFeatures]);
      return new Linear(layer.inFeatures, layer.outFeatures, { bias: layer.bias !== null, dtype, generator });
    }
    ['weight', 'bias', 'running_mean', 'running_var'].forEach((name, k) => put(`${i}.${name}`, layer.stats[k], [layer.features]));
    return new BatchNorm1d(layer.features, { eps: layer.eps, momentum: layer.momentum, dtype });
  });
  return { modules, state };
}

/**
 * Rebuilds an ONNX model that is a chain of layers as a Sequential: Gemm, or MatMul then Add, become Linear (alpha
 * and beta folded into the weights); Relu, Sigmoid, Tanh, LeakyRelu, Softmax and BatchNormalization (inference)
 * become their modules; Identity and Dropout vanish. The module is returned in eval mode. Anything else (an
 * operator with no module, a branch, a weight stored outside the file) gives an OnnxImportError naming the node.
 * @example
 * const model = importOnnx(readFileSync('model.onnx'));
 * model.forward(x);   // what ONNX Runtime computes on x
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): Sequential {
  const dtype = options.dtype ?? 'float32';
  const model = decode(bytes);
  const graph = model.graph;
  if (graph === undefined) throw new OnnxImportError('importOnnx: the model has no graph');
  const opset = model.opset_import?.find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (opset === undefined) throw new OnnxImportError('importOnnx: the model imports no version of the default ONNX operator set');
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const constants = new Map<string, Constant>();
  const constantNamed = (name: string): Constant | undefined => {
    if (!constants.has(name) && initializers.has(name)) constants.set(name, readTensor(initializers.get(name)!, `initializer '${name}'`));
    return constants.get(name);
  };
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ''));
  const outputs = graph.output ?? [];
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new OnnxImportError(
      `importOnnx: a chain of layers has one input and one output; this graph has ${inputs.length} and ${outputs.length}`,
    );
  }
  const tensorType = inputs[0].type?.tensor_type;
  if (tensorType?.elem_type !== undefined && tensorType.elem_type !== DataType.FLOAT && tensorType.elem_type !== DataType.DOUBLE) {
    throw new OnnxImportError(
      `importOnnx: the input '${inputs[0].name}' has element type ${tensorType.elem_type}; a float input was expected`,
    );
  }
  const rank: number | null = tensorType?.shape?.dim?.length ?? null;
  let current = inputs[0].name ?? '';
  const layers: Layer[] = [];
  (graph.node ?? []).forEach((node, index) => {
    const where = describe(node, index);
    const fail = (message: string): never => {
      throw new OnnxImportError(`importOnnx: ${where}: ${message}`);
    };
    if (node.domain !== undefined && node.domain !== '' && node.domain !== 'ai.onnx')
      fail(`operators of domain '${node.domain}' are not read`);
    const attribute = (name: string) => node.attribute?.find((a) => a.name === name);
    if (node.op_type === 'Constant') {
      const value = attribute('value');
      if (value?.t === undefined) fail('only a Constant with a tensor value is read');
      constants.set(node.output![0], readTensor(value!.t!, where));
      return;
    }
    const read = READERS[node.op_type ?? ''];
    if (read === undefined) fail(`no tapegrad module computes ${node.op_type}; importOnnx reads ${Object.keys(READERS).join(', ')}`);
    const input = node.input ?? [];
    const chainInput = input.indexOf(current);
    if (chainInput < 0) fail(`it does not take the previous layer's output '${current}'; importOnnx reads a chain of layers`);
    const reader: NodeReader = {
      node,
      where,
      opset,
      rank,
      layers,
      chainInput,
      attribute,
      fail,
      constant(i) {
        const name = input[i];
        const c = name === undefined || i === chainInput ? undefined : constantNamed(name);
        return c ?? fail(`input ${i} '${name ?? ''}' is not a constant (an initializer or a Constant node)`);
      },
    };
    const layer = read(reader);
    if (layer !== null) {
      const previousFeatures = lastFeatures(layers);
      if (layer.kind === 'linear' && previousFeatures !== null && previousFeatures !== layer.inFeatures) {
        fail(`it takes ${layer.inFeatures} features; the layer before gives ${previousFeatures}`);
      }
      layers.push(layer);
    }
    current = node.output?.[0] ?? fail('it has no output');
  });
  if (current !== outputs[0].name) {
    throw new OnnxImportError(`importOnnx: the graph's output '${outputs[0].name}' is not the last layer's output '${current}'`);
  }
  const { modules, state } = build(layers, dtype);
  const sequential = new Sequential(...modules);
  sequential.loadStateDict(state);
  return sequential.eval();
}

function lastFeatures(layers: readonly Layer[]): number | null {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (l.kind === 'linear') return l.outFeatures;
    if (l.kind === 'batchNorm') return l.features;
  }
  return null;
}
