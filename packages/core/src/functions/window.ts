/**
 * Argument checks shared by the sliding-window functions (convolutions and pools): per-axis sizes given as one
 * number or a list, and the tensors themselves. Each error names the function the user called and the value at fault.
 */
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { describeValue } from '../ndarray/shape.js';
import { Tensor } from '../tensor.js';

/** One number for every spatial axis, or one per axis (PyTorch's `int or tuple`). */
export type PerAxis = number | readonly number[];

/**
 * `value` as one integer per spatial axis (`axes` of them), each at least `min`: `stride: 2` is `[2, 2]` for conv2d.
 * `name` is the option's name in the error.
 */
export function perAxis(value: PerAxis, axes: number, name: string, op: string, min: number): number[] {
  const list: readonly unknown[] = typeof value === 'number' ? new Array<number>(axes).fill(value) : value;
  if (!Array.isArray(list) || list.length !== axes || list.some((v) => typeof v !== 'number'))
    throw new ShapeError(`${op}: ${name} is a number or a list of ${axes} numbers; got ${describeList(value)}`);
  const numbers = list as readonly number[];
  for (const v of numbers)
    if (!Number.isInteger(v) || v < min)
      throw new ShapeError(`${op}: ${name} must be ${min === 0 ? 'non-negative' : 'positive'} integers; got ${describeList(value)}`);
  return numbers.slice();
}

function describeList(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(describeValue).join(', ')}]` : describeValue(value);
}

/** Refuses anything but a float Tensor of rank `rank`; `what` names the argument (`'input'`, `'weight'`). */
export function checkFloatTensor(t: unknown, rank: number, what: string, op: string, layout: string): Tensor {
  if (!(t instanceof Tensor)) throw new DTypeError(`${op}: ${what} must be a Tensor; got ${describeValue(t)}`);
  if (t.dtype === 'int32') throw new DTypeError(`${op}: ${what} must be float32 or float64; got int32 of shape ${formatShape(t.shape)}`);
  if (t.rank !== rank)
    throw new ShapeError(`${op}: ${what} must have rank ${rank} (${layout}); got shape ${formatShape(t.shape)} (rank ${t.rank})`);
  return t;
}

/** Refuses two tensors of different dtypes (PyTorch's rule for convolutions and their weights). */
export function checkSameDType(a: Tensor, b: Tensor, names: string, op: string): void {
  if (a.dtype !== b.dtype)
    throw new DTypeError(
      `${op}: ${names} must have the same dtype; got ${a.dtype} ${formatShape(a.shape)} and ${b.dtype} ${formatShape(b.shape)}`,
    );
}

/** Refuses an options argument that is not a plain object (a number passed where `{ stride }` belongs). */
export function checkOptions(options: unknown, op: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof Tensor)
    throw new DTypeError(`${op}: options must be an object such as { stride: 2 }; got ${describeValue(options)}`);
}
