/** argmax and argmin: PyTorch's `torch.argmax` / `torch.argmin` (TensorFlow's `tf.argMax`), as functions. */
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { argReduce } from '../ndarray/kernels/reduce.js';
import { NDArray } from '../ndarray/ndarray.js';
import { describeValue, normalizeAxis } from '../ndarray/shape.js';
import { Tensor } from '../tensor.js';

function argExtremum(x: Tensor, axis: number | undefined, keepDims: boolean, kind: 'max' | 'min'): Tensor {
  const op = kind === 'max' ? 'argmax' : 'argmin';
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor; got ${describeValue(x)}`);
  if (typeof keepDims !== 'boolean') throw new DTypeError(`${op}: keepDims must be true or false; got ${describeValue(keepDims)}`);
  if (axis === undefined) {
    // Over every element, as PyTorch without `dim`: the index into the flattened tensor.
    if (x.size === 0) throw new ShapeError(`${op}: cannot take the ${op} of an empty tensor of shape ${formatShape(x.shape)}`);
    const flat = new Tensor(argReduce(new NDArray(x.raw.data, [x.size]), 0, false, kind));
    return keepDims ? flat.reshape(x.shape.map(() => 1)) : flat;
  }
  const line = x.rank === 0 ? x.reshape([1]) : x;
  const a = normalizeAxis(axis, line.rank, op);
  if (line.shape[a] === 0) throw new ShapeError(`${op}: axis ${a} of ${formatShape(x.shape)} is empty`);
  const out = new Tensor(argReduce(line.raw, a, keepDims, kind));
  return x.rank === 0 ? out.reshape([]) : out;
}

/**
 * The index of the largest element along `axis` (int32, not differentiable; PyTorch's `torch.argmax`, `tf.argMax`).
 * Without an axis, the index into the flattened tensor. Of equal maxima the first wins; a NaN is the maximum (as
 * `max` propagates it).
 * @example
 * const x = tensor([[1, 9, 3], [7, 2, 7]]);
 * argmax(x, 1).toArray();         // [1, 0]
 * argmax(x, 0, true).toArray();   // [[1, 0, 1]]
 * argmax(x).item();               // 1
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtremum(x, axis, keepDims, 'max');
}

/**
 * The index of the smallest element along `axis` (int32, not differentiable; PyTorch's `torch.argmin`, `tf.argMin`).
 * Without an axis, the index into the flattened tensor. Of equal minima the first wins; a NaN is the minimum.
 * @example
 * argmin(tensor([[1, 9, 3], [7, 2, 7]]), 1).toArray();   // [0, 1]
 */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtremum(x, axis, keepDims, 'min');
}
