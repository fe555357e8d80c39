/**
 * OnnxGraph: what an exporter writes into. It hands out unique node and value names, turns module weights into
 * float32 initializers (refusing values float32 cannot hold), and tracks each value's shape, symbolic dimensions
 * (the dynamic batch) included, so every exporter can check its input and state its output.
 */
import type { Tensor } from '@tapegrad/core';
import type { Module } from '@tapegrad/nn';
import { OnnxExportError } from '../errors.js';
import { type AttributeProto, AttributeType, DataType, type NodeProto, type TensorProto } from '../proto/onnx.js';

/** One dimension of a value: a fixed size, or a name for a size known only at run time ('batch'). @example const dims: OnnxDim[] = ['batch', 784]; */
export type OnnxDim = number | string;

/** A value in the graph under construction: its name and its shape. @example const x: OnnxValue = { name: 'input', shape: ['batch', 784] }; */
export interface OnnxValue {
  /** The value's name in the graph. */
  readonly name: string;
  /** The size of each axis; a string is a dynamic (symbolic) dimension. */
  readonly shape: readonly OnnxDim[];
}

/**
 * A node attribute, tagged with its ONNX type (a JavaScript number alone would not say int or float).
 * @example graph.node('LeakyRelu', [x.name], x.shape, { scope: path, attributes: { alpha: { float: 0.2 } } });
 */
export type OnnxAttribute =
  | {
      /** An INT attribute. */
      readonly int: number;
    }
  | {
      /** A FLOAT attribute. */
      readonly float: number;
    }
  | {
      /** An INTS attribute. */
      readonly ints: readonly number[];
    }
  | {
      /** A FLOATS attribute. */
      readonly floats: readonly number[];
    }
  | {
      /** A STRING attribute. */
      readonly string: string;
    };

/**
 * Writes one module's nodes and returns its output value; see {@link registerOnnxExporter}.
 * @example const relu: OnnxExporter = (m, x, graph, path) => graph.node('Relu', [x.name], x.shape, { scope: path });
 */
export type OnnxExporter<M extends Module = Module> = (module: M, input: OnnxValue, graph: OnnxGraph, path: string) => OnnxValue;

/** The options of {@link OnnxGraph.node}. @example graph.node('Softmax', [x.name], x.shape, { scope: '3', attributes: { axis: { int: -1 } } }); */
export interface OnnxNodeOptions {
  /** The module path the node belongs to (its name becomes `/path/OpType`). */
  readonly scope: string;
  /** The node's attributes by name. */
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

function attributeProto(name: string, a: OnnxAttribute): AttributeProto {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: [...a.floats] };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.string) };
}

/** `base`, or `base_1`, `base_2`, ... whichever `taken` lacks first; it is added to `taken`. */
function unique(taken: Set<string>, base: string): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/** Little-endian float32 bytes of `values`, as TensorProto.raw_data stores them. */
function float32Bytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

/**
 * The graph an export builds. Exporters call `weight` or `initializer` for constants, `node` for operators and
 * `module` to export a child module (containers such as Sequential do).
 * @example
 * // an exporter for a module that doubles its input
 * registerOnnxExporter(Double, (m, x, graph, path) => {
 *   const two = graph.initializer(`${path}.two`, [2], []);
 *   return graph.node('Mul', [x.name, two], x.shape, { scope: path });
 * });
 */
export class OnnxGraph {
  /** @internal */ readonly nodes: NodeProto[] = [];
  /** @internal */ readonly initializers: TensorProto[] = [];
  private readonly valueNames = new Set<string>();
  private readonly nodeNames = new Set<string>();

  /** @internal use exportOnnx */
  constructor(
    /** The ONNX opset the model declares: exporters may choose operators by it. */
    readonly opset: number,
    private readonly lookup: (module: Module, path: string) => OnnxExporter,
    reserved: readonly string[],
  ) {
    for (const name of reserved) this.valueNames.add(name);
  }

  private uniqueValue(base: string): string {
    return unique(this.valueNames, base);
  }

  private uniqueNode(base: string): string {
    return unique(this.nodeNames, base);
  }

  /**
   * Adds a float32 constant and returns its (unique) name. Values float32 cannot hold (NaN, infinities, beyond
   * ±3.4e38) are refused with an OnnxExportError naming the constant.
   */
  initializer(name: string, values: ArrayLike<number>, dims: readonly number[]): string {
    const data = Float32Array.from(values);
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new OnnxExportError(`exportOnnx: initializer '${name}' has ${data.length} values for dims [${dims.join(', ')}]`);
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new OnnxExportError(
          `exportOnnx: '${name}' holds ${values[i]} at index ${i}, which float32 cannot represent; ONNX Runtime would compute with ${data[i]}`,
        );
      }
    }
    const unique = this.uniqueValue(name);
    this.initializers.push({ name: unique, dims: [...dims], data_type: DataType.FLOAT, raw_data: float32Bytes(data) });
    return unique;
  }

  /** Adds an int64 constant (a shape for Reshape, say) and returns its (unique) name. */
  int64Initializer(name: string, values: readonly number[], dims: readonly number[]): string {
    if (values.some((v) => !Number.isSafeInteger(v)))
      throw new OnnxExportError(`exportOnnx: int64 initializer '${name}' holds a value that is not a safe integer: [${values.join(', ')}]`);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    const unique = this.uniqueValue(name);
    this.initializers.push({ name: unique, dims: [...dims], data_type: DataType.INT64, raw_data: bytes });
    return unique;
  }

  /** Adds a module's tensor (a parameter or buffer) as a float32 initializer named `name`; returns its name. */
  weight(name: string, tensor: Tensor): string {
    return this.initializer(name, tensor.data, tensor.shape);
  }

  /**
   * Appends the operator `opType` applied to `inputs` ('' for an omitted optional input) and returns its one
   * output, which the caller states the shape of.
   */
  node(opType: string, inputs: readonly string[], outputShape: readonly OnnxDim[], options: OnnxNodeOptions): OnnxValue {
    const nodeName = this.uniqueNode(`${options.scope === '' ? '' : `/${options.scope.split('.').join('/')}`}/${opType}`);
    const output = this.uniqueValue(`${nodeName}_output_0`);
    const attribute = Object.entries(options.attributes ?? {}).map(([k, a]) => attributeProto(k, a));
    this.nodes.push({ name: nodeName, op_type: opType, input: [...inputs], output: [output], attribute });
    return { name: output, shape: [...outputShape] };
  }

  /** Exports `child` (at module path `path`) applied to `input`, through the exporter registered for its class. */
  module(child: Module, input: OnnxValue, path: string): OnnxValue {
    return this.lookup(child, path)(child, input, this, path);
  }

  /** @internal gives the value produced last the graph's output name (an Identity node when nothing produced it). */
  nameOutput(value: OnnxValue, outputName: string): void {
    const last = this.nodes[this.nodes.length - 1];
    if (last !== undefined && last.output![0] === value.name) {
      this.valueNames.delete(value.name);
      last.output![0] = outputName;
    } else {
      this.nodes.push({
        name: this.uniqueNode('/Identity'),
        op_type: 'Identity',
        input: [value.name],
        output: [outputName],
        attribute: [],
      });
    }
  }
}
