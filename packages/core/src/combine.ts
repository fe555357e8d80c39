/** Free functions over several tensors: concat, stack, where. */
import { DTypeError, ShapeError, formatShape } from './errors.js';
import * as ops from './ops/index.js';
import { describeValue, normalizeAxis } from './ndarray/shape.js';
import { Tensor } from './tensor.js';
import type { Scalar } from './scalar.js';
import { Node } from './autodiff/node.js';

/** Refuses anything but a list of Tensors, naming the first item that is not one. */
function checkList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors)) throw new DTypeError(`${op}: takes a list of Tensors; got ${describeValue(tensors)}`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}: item ${i} is ${describeValue(t)}, not a Tensor`);
  });
}

/** Joins tensors along an existing axis; all other axes must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkList(tensors, 'concat');
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  const first = tensors[0];
  const a = normalizeAxis(axis, first.rank, 'concat');
  for (const [i, t] of tensors.entries()) {
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new ShapeError(
        `concat: item ${i} has shape ${formatShape(t.shape)}, which does not match ${formatShape(first.shape)} outside axis ${a}`,
      );
    }
  }
  if (tensors.length === 1) return first;
  return ops.concat(...tensors, { axis: a });
}

/** Joins same-shape tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkList(tensors, 'stack');
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const a = normalizeAxis(axis, tensors[0].rank + 1, 'stack');
  for (const [i, t] of tensors.entries()) {
    if (t.rank !== tensors[0].rank || t.shape.some((d, k) => d !== tensors[0].shape[k])) {
      throw new ShapeError(`stack: item ${i} has shape ${formatShape(t.shape)}, item 0 has ${formatShape(tensors[0].shape)}`);
    }
  }
  return ops.concat(...tensors.map((t) => t.unsqueeze(a)), { axis: a });
}

/** Elementwise choice: `a` where `cond` is non-zero, else `b` (all three broadcast). `cond` gets no gradient. */
export function where<T extends Tensor | Scalar>(cond: T, a: T | number, b: T | number): T {
  // A plain number takes its dtype from the other branch (as it would in a.add(n)), never from cond.
  const branch = a instanceof Node ? a : b instanceof Node ? b : null;
  const lift = (v: T | number): T | Node | number => (typeof v === 'number' && branch !== null ? branch.constant(v) : v);
  return ops.where(cond, lift(a), lift(b)) as T;
}
