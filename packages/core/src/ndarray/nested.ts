/** Conversion between nested JS arrays and flat row-major data. */
import { ShapeError, formatShape } from '../errors.js';
import { type DType, type TypedArray, allocate, hasInt32Value, int32ValueError } from './dtype.js';

/** A number or (nested) arrays of numbers, as `tensor(...)` takes and `toArray()` returns. */
export type NestedArray = number | readonly NestedArray[];

export function inferShape(value: NestedArray, op: string): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedArray;
    if (v === undefined) break;
  }
  if (shape.length > 0 && shape[shape.length - 1] !== 0 && typeof v !== 'number') {
    throw new ShapeError(`${op}: expected numbers at depth ${shape.length}, found ${typeof v}`);
  }
  return shape;
}

export function flatten(value: NestedArray, shape: readonly number[], dtype: DType, op: string): TypedArray {
  let size = 1;
  for (const d of shape) size *= d;
  const out = allocate(dtype, size);
  let k = 0;
  const walk = (v: NestedArray, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number')
        throw new ShapeError(`${op}: expected a number at index [${path.join(', ')}], found ${Array.isArray(v) ? 'an array' : typeof v}`);
      if (dtype === 'int32' && !hasInt32Value(v)) throw int32ValueError(op, v, `at index [${path.join(', ')}]`);
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(
        `${op}: ragged nested array: index [${path.join(', ')}] has ${Array.isArray(v) ? `length ${v.length}` : 'a number'} ` +
          `where shape ${formatShape(shape)} needs length ${shape[depth]}`,
      );
    }
    // Array.isArray narrows a readonly array to any[]: say again what it holds.
    const items = v as readonly NestedArray[];
    for (let i = 0; i < items.length; i++) walk(items[i], depth + 1, [...path, i]);
  };
  walk(value, 0, []);
  return out;
}

export function toNested(data: ArrayLike<number>, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0];
  let offset = 0;
  const build = (depth: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[depth]; i++) {
      if (depth === shape.length - 1) out.push(data[offset++]);
      else out.push(build(depth + 1));
    }
    return out;
  };
  return build(0);
}
