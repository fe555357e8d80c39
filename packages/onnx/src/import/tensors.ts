/**
 * Reading an ONNX TensorProto (an initializer or a Constant's value) into a Float64Array, with every size checked
 * before anything is allocated: a hostile file costs at most its own size.
 */
import { OnnxImportError } from '../errors.js';
import { DataType, type TensorProto } from '../proto/onnx.js';

/** A constant of the graph: its dims and its values. */
export interface Constant {
  readonly dims: readonly number[];
  readonly values: Float64Array;
}

const ELEMENT_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4 };

function typedField(t: TensorProto): readonly number[] | undefined {
  switch (t.data_type) {
    case DataType.FLOAT:
      return t.float_data;
    case DataType.DOUBLE:
      return t.double_data;
    case DataType.INT64:
      return t.int64_data;
    default:
      return t.int32_data;
  }
}

/** The values of `t`, which must be float, double, int32 or int64 data stored in the file itself. */
export function readTensor(t: TensorProto, where: string): Constant {
  const dims = t.dims ?? [];
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new OnnxImportError(`importOnnx: ${where} has invalid dims [${dims.join(', ')}]`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  const elementBytes = ELEMENT_BYTES[t.data_type ?? 0];
  if (elementBytes === undefined) {
    throw new OnnxImportError(`importOnnx: ${where} has data type ${t.data_type}; only float, double, int32 and int64 constants are read`);
  }
  if (t.data_location === 1) throw new OnnxImportError(`importOnnx: ${where} keeps its data in an external file, which is not supported`);
  const raw = t.raw_data;
  if (raw !== undefined && raw.length > 0) {
    if (raw.length !== size * elementBytes) {
      throw new OnnxImportError(
        `importOnnx: ${where} has ${raw.length} bytes of data for dims [${dims.join(', ')}] (${size * elementBytes} expected)`,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const values = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const at = i * elementBytes;
      switch (t.data_type) {
        case DataType.FLOAT:
          values[i] = view.getFloat32(at, true);
          break;
        case DataType.DOUBLE:
          values[i] = view.getFloat64(at, true);
          break;
        case DataType.INT64:
          values[i] = Number(view.getBigInt64(at, true));
          break;
        default:
          values[i] = view.getInt32(at, true);
      }
    }
    return { dims, values };
  }
  const field = typedField(t) ?? [];
  if (field.length !== size) {
    throw new OnnxImportError(`importOnnx: ${where} has ${field.length} values for dims [${dims.join(', ')}] (${size} expected)`);
  }
  return { dims, values: Float64Array.from(field) };
}
