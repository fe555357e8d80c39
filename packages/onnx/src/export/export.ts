/**
 * exportOnnx: a trained Module as an ONNX model (float32 weights as initializers, named input and output, dynamic
 * batch), written with protobufjs from the official onnx.proto.
 */
import type { Module } from '@tapegrad/nn';
import { OnnxExportError } from '../errors.js';
import { DataType, type ModelProto, type ValueInfoProto, encodeModelProto } from '../proto/onnx.js';
import { VERSION } from '../version.js';
import { exporterFor } from './exporters.js';
import { type OnnxDim, OnnxGraph } from './graph-builder.js';

/**
 * The opsets exportOnnx writes, each with the IR version that introduced it (ONNX's versioning table).
 * @example Object.keys(SUPPORTED_OPSETS);   // ['17', '18', '19', '20', '21']
 */
export const SUPPORTED_OPSETS: Readonly<Record<number, number>> = { 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

/** Options of {@link exportOnnx}. @example const options: ExportOnnxOptions = { inputShape: [null, 784], opset: 17 }; */
export interface ExportOnnxOptions {
  /**
   * The input's shape. `null` (or a name) marks a dimension fixed only at run time: `[null, 784]` is any batch of
   * 784-pixel vectors. A `null` first axis is named 'batch', others `dim1`, `dim2`, ...
   */
  readonly inputShape: readonly (number | string | null)[];
  /** The graph input's name (default 'input'). */
  readonly inputName?: string;
  /** The graph output's name (default 'output'). */
  readonly outputName?: string;
  /** The ONNX opset to declare, 17 to 21 (default 17). */
  readonly opset?: number;
  /** The graph's name (default 'tapegrad'). */
  readonly graphName?: string;
  /** Free text stored as the model's doc_string. */
  readonly docString?: string;
  /** Key/value pairs stored as the model's metadata_props (ONNX Runtime exposes them as custom metadata). */
  readonly metadata?: Readonly<Record<string, string>>;
}

function symbolicShape(shape: ExportOnnxOptions['inputShape']): OnnxDim[] {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new OnnxExportError(`exportOnnx: inputShape must be a non-empty array such as [null, 784], got ${JSON.stringify(shape)}`);
  }
  return shape.map((d, i) => {
    if (d === null) return i === 0 ? 'batch' : `dim${i}`;
    if (typeof d === 'string' && d !== '') return d;
    if (typeof d === 'number' && Number.isInteger(d) && d >= 1) return d;
    throw new OnnxExportError(
      `exportOnnx: inputShape[${i}] must be a positive integer, null or a dimension name; got ${JSON.stringify(d)} in ${JSON.stringify(shape)}`,
    );
  });
}

function valueInfo(name: string, shape: readonly OnnxDim[]): ValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } } };
}

/**
 * Writes `module`'s inference computation as an ONNX model and returns the file's bytes. Weights become float32
 * initializers named by their state-dict keys (`0.weight`); Dropout is left out and BatchNorm uses its running
 * statistics, whatever mode the module is in (as `torch.onnx.export` does). A module with no registered exporter
 * gives an OnnxExportError naming it.
 * @example
 * const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * const bytes = exportOnnx(model, { inputShape: [null, 784], inputName: 'pixels', outputName: 'logits' });
 * // in Node: await saveOnnx('model.onnx', model, { inputShape: [null, 784] }) from '@tapegrad/onnx/node'
 */
export function exportOnnx(module: Module, options: ExportOnnxOptions): Uint8Array {
  const opset = options.opset ?? 17;
  const irVersion = SUPPORTED_OPSETS[opset];
  if (irVersion === undefined) {
    throw new OnnxExportError(`exportOnnx: opset ${opset} is not supported; choose one of ${Object.keys(SUPPORTED_OPSETS).join(', ')}`);
  }
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  if (inputName === '' || outputName === '' || inputName === outputName) {
    throw new OnnxExportError(
      `exportOnnx: inputName and outputName must be two different non-empty names, got '${inputName}' and '${outputName}'`,
    );
  }
  const input = { name: inputName, shape: symbolicShape(options.inputShape) };
  const graph = new OnnxGraph(opset, exporterFor, [inputName, outputName]);
  const output = graph.module(module, input, '');
  graph.nameOutput(output, outputName);
  const model: ModelProto = {
    ir_version: irVersion,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'tapegrad',
    producer_version: VERSION,
    doc_string: options.docString,
    graph: {
      name: options.graphName ?? 'tapegrad',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(inputName, input.shape)],
      output: [valueInfo(outputName, output.shape)],
    },
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return encodeModelProto(model);
}
