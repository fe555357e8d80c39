/**
 * The ONNX protobuf messages this package writes and reads, typed, and their binary encoding through protobufjs
 * (its light build, from the JSON descriptor of the vendored onnx.proto). Field names keep the .proto's
 * snake_case, so these interfaces read like the ONNX specification. Only the fields tapegrad uses are typed;
 * decoding keeps every field the schema knows.
 */
import * as protobuf from 'protobufjs/light.js';
import { ONNX_DESCRIPTOR } from './onnx-descriptor.generated.js';

/** `TensorProto.DataType` values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;

/** `AttributeProto.AttributeType` values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** A tensor: an initializer or an attribute value. Data is in `raw_data` (little-endian) or the typed fields. */
export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  data_location?: number;
}

/** One named attribute of a node; `type` says which value field is set. */
export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

/** One dimension: a fixed size or a symbolic name (a dynamic axis such as the batch). */
export interface DimensionProto {
  dim_value?: number;
  dim_param?: string;
}

/** A typed value: element type and shape of a tensor. */
export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: { dim?: DimensionProto[] } };
}

/** A graph input, output or intermediate value with its type. */
export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
}

/** One operator application. */
export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
}

/** The computation: nodes in topological order, the weights as initializers, the inputs and outputs. */
export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  doc_string?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

/** An operator set the model uses ('' is the default ONNX domain). */
export interface OperatorSetIdProto {
  domain?: string;
  version?: number;
}

/** A whole ONNX model file. */
export interface ModelProto {
  ir_version?: number;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: Array<{ key?: string; value?: string }>;
}

let modelType: protobuf.Type | undefined;

function model(): protobuf.Type {
  // Built on first use: importing the package costs nothing until a model is written or read.
  modelType ??= protobuf.Root.fromJSON(ONNX_DESCRIPTOR as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/**
 * @internal protobuf bytes of `message` (unset fields are not written), as a plain Uint8Array in Node too
 * (protobufjs writes a Buffer there, possibly a slice of Node's shared pool).
 */
export function encodeModelProto(message: ModelProto): Uint8Array {
  const type = model();
  const bytes = type.encode(type.fromObject(message)).finish();
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes);
}

/**
 * @internal the model in `bytes` as plain objects: 64-bit integers as numbers, bytes as Uint8Array, unset
 * repeated fields as []. Throws protobufjs's error on malformed input.
 */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const type = model();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array, arrays: true, defaults: false });
}
