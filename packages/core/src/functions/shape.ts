/**
 * split, chunk, repeat and tile on Tensors (PyTorch's `torch.split`, `torch.chunk`, `Tensor.repeat`, `torch.tile`;
 * TF.js's `tf.split`, `tf.tile`). All are composites: split and chunk are slices, repeat and tile are a reshape,
 * a broadcast and a reshape, so their gradients are those ops' rules (a repeated element's gradient is the sum of
 * its copies').
 */
import { ShapeError, formatShape } from '../errors.js';
import { describeValue, normalizeAxis } from '../ndarray/shape.js';
import type { Tensor } from '../tensor.js';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/**
 * Splits `x` along `axis` (default 0) into pieces: of `sizes[i]` elements each when given a list (they must add
 * up to the axis' size), or of `size` elements each when given a number (the last piece takes what is left).
 * @example
 * split(tensor([1, 2, 3, 4, 5]), 2);        // [1, 2], [3, 4], [5]
 * split(tensor([1, 2, 3, 4, 5]), [1, 4]);   // [1], [2, 3, 4, 5]
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normalizeAxis(axis, x.rank, 'split');
  const n = x.shape[a];
  let list: number[];
  if (typeof sizes === 'number') {
    if (!isCount(sizes) || sizes === 0) throw new ShapeError(`split: a piece size is a positive integer; got ${describeValue(sizes)}`);
    list = Array.from({ length: Math.ceil(n / sizes) }, (_, i) => Math.min(sizes, n - i * sizes));
  } else {
    list = [...sizes];
    if (!list.every(isCount)) throw new ShapeError(`split: sizes are non-negative integers; got ${describeValue(sizes)}`);
    const total = list.reduce((s, k) => s + k, 0);
    if (total !== n)
      throw new ShapeError(
        `split: sizes [${list.join(', ')}] add up to ${total}, but axis ${a} of ${formatShape(x.shape)} has ${n} elements`,
      );
  }
  let start = 0;
  return list.map((k) => {
    const begin = x.shape.map((_, d) => (d === a ? start : 0));
    const size = x.shape.map((s, d) => (d === a ? k : s));
    start += k;
    return x.slice(begin, size);
  });
}

/**
 * Splits `x` along `axis` into `chunks` pieces of ceil(n / chunks) elements (PyTorch's `chunk`: the last may be
 * smaller, and there may be fewer pieces than asked when the size does not divide).
 * @example
 * chunk(tensor([1, 2, 3, 4, 5]), 2);   // [1, 2, 3], [4, 5]
 */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  if (!isCount(chunks) || chunks === 0)
    throw new ShapeError(`chunk: the number of chunks is a positive integer; got ${describeValue(chunks)}`);
  const n = x.shape[normalizeAxis(axis, x.rank, 'chunk')];
  return split(x, Math.max(Math.ceil(n / chunks), 1), axis);
}

/**
 * PyTorch's `Tensor.repeat`: copies `x` `reps[i]` times along each axis i. `reps` has at least as many entries as
 * `x` has axes; extra leading entries add new leading axes.
 * @example
 * repeat(tensor([1, 2]), [2, 3]).toArray();   // [[1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 2]]
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  return tiled('repeat', x, reps);
}

/**
 * PyTorch's `torch.tile` and TF.js's `tf.tile`: as {@link repeat}, but `reps` may have fewer entries than `x`
 * has axes (it is then padded with leading 1s).
 * @example
 * tile(tensor([[1, 2], [3, 4]]), [2]).toArray();   // [[1, 2, 1, 2], [3, 4, 3, 4]]
 */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  const padded = [...new Array<number>(Math.max(x.rank - reps.length, 0)).fill(1), ...reps];
  return tiled('tile', x, padded);
}

/** Each axis d of size s becomes two, [reps[d], s] (x broadcast along the first), then the pairs merge. */
function tiled(op: string, x: Tensor, reps: readonly number[]): Tensor {
  if (!Array.isArray(reps) || !reps.every(isCount))
    throw new ShapeError(`${op}: reps are non-negative integers, one per axis; got ${describeValue(reps)}`);
  if (reps.length < x.rank)
    throw new ShapeError(`${op}: reps [${reps.join(', ')}] have fewer entries than ${formatShape(x.shape)} has axes (tile pads them)`);
  const shape = [...new Array<number>(reps.length - x.rank).fill(1), ...x.shape];
  const paired = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, d) => [reps[d], s]);
  return x
    .reshape(paired)
    .broadcastTo(expanded)
    .reshape(shape.map((s, d) => s * reps[d]));
}
