/**
 * sort, topk and takeAlongAxis: PyTorch's `sort`, `topk` and `gather` (np.take_along_axis). One machinery: the
 * indices of a stable sort (ndarray/kernels/sort.ts), then the values picked at them by the takeAlongAxis op, whose
 * gradient scatters dy back to the picked positions. So values are differentiable and indices are int32.
 */
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { sortedIndices } from '../ndarray/kernels/sort.js';
import { describeValue, normalizeAxis } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { checkOptions } from './window.js';

/** Options of {@link sort}. */
export interface SortOptions {
  /** The axis to sort along (default -1, the last). */
  readonly axis?: number;
  /** Largest first (default false: smallest first). */
  readonly descending?: boolean;
}

/** Options of {@link topk}. */
export interface TopkOptions {
  /** The axis to pick along (default -1, the last). */
  readonly axis?: number;
  /** The k largest, largest first (default true); false gives the k smallest, smallest first. */
  readonly largest?: boolean;
}

function checkTensor(x: unknown, op: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor; got ${describeValue(x)}`);
}

function checkFlag(value: unknown, name: string, op: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new DTypeError(`${op}: ${name} must be true or false; got ${describeValue(value)}`);
  return value;
}

/** x and its axis, a 0-d x read as one element along axis 0 (PyTorch accepts dim 0 and -1 there). */
function alongAxis(x: Tensor, axis: unknown, op: string): { line: Tensor; axis: number } {
  if (axis !== undefined && typeof axis !== 'number') throw new ShapeError(`${op}: axis must be an integer; got ${describeValue(axis)}`);
  const line = x.rank === 0 ? x.reshape([1]) : x;
  return { line, axis: normalizeAxis(axis ?? -1, line.rank, op) };
}

/** [values, indices] of the first k of each sorted line (0-d again for a 0-d x and k = 1, as PyTorch returns). */
function pick(x: Tensor, line: Tensor, axis: number, k: number, descending: boolean): [Tensor, Tensor] {
  const indices = new Tensor(sortedIndices(line.raw, axis, k, descending));
  const values = ops.takeAlongAxis(line, indices, { axis });
  if (x.rank === 0 && k === 1) return [values.reshape([]), indices.reshape([])];
  return [values, indices];
}

/**
 * Sorts `x` along an axis (PyTorch's `torch.sort`, always stable): returns `[values, indices]`, values
 * differentiable (the gradient goes back to each value's original position) and indices int32 with
 * `values = takeAlongAxis(x, indices, axis)`. Equal values keep their order; NaN sorts as the largest value.
 * @example
 * const x = tensor([[3, 1, 2], [0, 5, 4]], { requiresGrad: true });
 * const [values, indices] = sort(x, { descending: true });
 * values.toArray();    // [[3, 2, 1], [5, 4, 0]]
 * indices.toArray();   // [[0, 2, 1], [1, 2, 0]]
 */
export function sort(x: Tensor, options: SortOptions = {}): [Tensor, Tensor] {
  checkTensor(x, 'sort');
  checkOptions(options, 'sort');
  const descending = checkFlag(options.descending, 'descending', 'sort');
  const { line, axis } = alongAxis(x, options.axis, 'sort');
  return pick(x, line, axis, line.shape[axis], descending);
}

/**
 * The `k` largest (or, with `largest: false`, smallest) elements along an axis, sorted (PyTorch's `torch.topk`,
 * TensorFlow's `tf.topk`): returns `[values, indices]`, values differentiable (elements not picked get gradient 0)
 * and indices int32. Of equal values the lower index comes first; NaN counts as the largest value.
 * @example
 * const logits = tensor([0.5, 2, -1, 3], { requiresGrad: true });
 * const [values, indices] = topk(logits, 2);
 * values.toArray();    // [3, 2]
 * indices.toArray();   // [3, 1]
 */
export function topk(x: Tensor, k: number, options: TopkOptions = {}): [Tensor, Tensor] {
  checkTensor(x, 'topk');
  checkOptions(options, 'topk');
  const largest = options.largest === undefined ? true : checkFlag(options.largest, 'largest', 'topk');
  const { line, axis } = alongAxis(x, options.axis, 'topk');
  const n = line.shape[axis];
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ShapeError(
      `topk: k must be an integer from 0 to ${n} (the size of axis ${axis} of ${formatShape(x.shape)}); got ${describeValue(k)}`,
    );
  return pick(x, line, axis, k, largest);
}

/**
 * Picks elements of `x` along `axis` at int32 `indices` of the same rank (PyTorch's `torch.gather`,
 * NumPy's `take_along_axis`): `out[..., j, ...] = x[..., indices[..., j, ...], ...]`, out of the shape of `indices`,
 * which must equal x's on every other axis. Differentiable in x: an element picked twice gets both gradients.
 * @example
 * const x = tensor([[10, 20, 30], [40, 50, 60]], { requiresGrad: true });
 * takeAlongAxis(x, tensor([[2, 0], [1, 1]], { dtype: 'int32' }), 1).toArray();   // [[30, 10], [50, 50]]
 */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis: number): Tensor {
  checkTensor(x, 'takeAlongAxis');
  checkTensor(indices, 'takeAlongAxis');
  if (indices.dtype !== 'int32')
    throw new DTypeError(`takeAlongAxis: indices must be int32; got ${indices.dtype} of shape ${formatShape(indices.shape)}`);
  if (x.rank === 0) throw new ShapeError(`takeAlongAxis: x must have at least one axis; got a 0-d tensor`);
  const a = normalizeAxis(axis, x.rank, 'takeAlongAxis');
  if (indices.rank !== x.rank || indices.shape.some((d, i) => i !== a && d !== x.shape[i]))
    throw new ShapeError(
      `takeAlongAxis: indices ${formatShape(indices.shape)} must have the shape of x ${formatShape(x.shape)} except along axis ${a}`,
    );
  const n = x.shape[a];
  const I = indices.data;
  for (let i = 0; i < I.length; i++)
    if (I[i] < 0 || I[i] >= n)
      throw new ShapeError(
        `takeAlongAxis: index ${I[i]} at position ${i} is out of range for axis ${a} of ${formatShape(x.shape)} (0 to ${n - 1})`,
      );
  return ops.takeAlongAxis(x, indices, { axis: a });
}
