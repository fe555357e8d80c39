/** pad: constant padding per axis, as tf.pad / np.pad (and PyTorch's F.pad, whose negative widths crop). */
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { describeValue } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';

/** Options of {@link pad}. */
export interface PadOptions {
  /** The value of the added elements (default 0). */
  readonly value?: number;
}

/**
 * Pads `x` with `value`: `widths[a] = [before, after]` elements are added in front of and behind axis `a` (one pair
 * per axis, from the first, as tf.pad and np.pad take them). A negative width removes that many elements instead, as
 * in PyTorch's `F.pad`. Differentiable in `x` (the padding gets no gradient).
 * @example
 * const x = tensor([[1, 2], [3, 4]]);
 * pad(x, [[1, 0], [0, 2]]).toArray();              // [[0, 0, 0, 0], [1, 2, 0, 0], [3, 4, 0, 0]]
 * pad(x, [[0, 0], [-1, 1]], { value: 9 }).toArray();   // [[2, 9], [4, 9]]
 */
export function pad(x: Tensor, widths: ReadonlyArray<readonly [number, number]>, options: PadOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`pad: x must be a Tensor; got ${describeValue(x)}`);
  if (!isPairList(widths, x.rank))
    throw new ShapeError(
      `pad: widths must be one [before, after] pair per axis of x ${formatShape(x.shape)} (${x.rank} pairs); got ${describeWidths(widths)}`,
    );
  if (widths.some((w) => !w.every(Number.isInteger))) throw new ShapeError(`pad: widths must be integers; got ${describeWidths(widths)}`);
  const value = options.value ?? 0;
  if (typeof value !== 'number') throw new DTypeError(`pad: value must be a number; got ${describeValue(value)}`);
  if (x.dtype === 'int32' && !Number.isInteger(value))
    throw new DTypeError(`pad: value ${value} is not an integer, and x is int32 ${formatShape(x.shape)}`);
  const before = widths.map((w) => w[0]);
  const after = widths.map((w) => w[1]);
  const shape = x.shape.map((d, a) => d + before[a] + after[a]);
  const bad = shape.findIndex((d) => d < 0);
  if (bad !== -1)
    throw new ShapeError(
      `pad: widths [${widths[bad].join(', ')}] crop more than the ${x.shape[bad]} elements of axis ${bad} of ${formatShape(x.shape)}`,
    );
  if (before.every((b) => b === 0) && after.every((a) => a === 0)) return x;
  return ops.pad(x, { before, after, value });
}

function isPairList(widths: unknown, rank: number): widths is ReadonlyArray<readonly [number, number]> {
  return Array.isArray(widths) && widths.length === rank && widths.every((w: unknown) => Array.isArray(w) && w.length === 2);
}

function describeWidths(widths: unknown): string {
  if (!Array.isArray(widths)) return describeValue(widths);
  return `[${widths.map((w: unknown) => (Array.isArray(w) ? `[${w.map(describeValue).join(', ')}]` : describeValue(w))).join(', ')}]`;
}
