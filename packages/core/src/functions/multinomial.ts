/** multinomial: PyTorch's `torch.multinomial`, category indices drawn from rows of non-negative weights. */
import { DTypeError, ShapeError, TapegradError, formatShape } from '../errors.js';
import { Generator, globalGenerator } from '../ndarray/random.js';
import { NDArray } from '../ndarray/ndarray.js';
import { describeValue } from '../ndarray/shape.js';
import { Tensor } from '../tensor.js';
import { checkOptions } from './window.js';

/** Options of {@link multinomial}. */
export interface MultinomialOptions {
  /** Draw with replacement (a category may come up again); default false, as in PyTorch. */
  readonly replacement?: boolean;
  /** The generator to draw from; default the global one that `seed(n)` resets. */
  readonly generator?: Generator;
}

/**
 * Draws `numSamples` category indices from each row of `weights` (PyTorch's `torch.multinomial`): `weights` is
 * [categories] or [rows, categories] of non-negative finite numbers, not necessarily summing to 1 (category c of a
 * row comes up with probability weight[c] / sum of the row). Without replacement (the default) each draw removes its
 * category from the row, so a row's samples are distinct and it needs at least `numSamples` positive weights. Returns
 * int32 indices, [numSamples] or [rows, numSamples]; not differentiable. Seeded: the same generator state gives the same draws.
 * @example
 * seed(0);
 * const probs = tensor([0.1, 0.6, 0.3]);
 * multinomial(probs, 5, { replacement: true }).shape;    // [5]
 * multinomial(probs, 3).toArray().sort();                // [0, 1, 2]: without replacement, each once
 */
export function multinomial(weights: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  if (!(weights instanceof Tensor)) throw new DTypeError(`multinomial: weights must be a Tensor; got ${describeValue(weights)}`);
  if (weights.dtype === 'int32') throw new DTypeError(`multinomial: weights must be float32 or float64; got int32`);
  if (weights.rank !== 1 && weights.rank !== 2)
    throw new ShapeError(`multinomial: weights must be [categories] or [rows, categories]; got shape ${formatShape(weights.shape)}`);
  checkOptions(options, 'multinomial');
  const replacement = options.replacement ?? false;
  if (typeof replacement !== 'boolean')
    throw new DTypeError(`multinomial: replacement must be true or false; got ${describeValue(replacement)}`);
  const g = options.generator ?? globalGenerator;
  if (!(g instanceof Generator)) throw new DTypeError(`multinomial: generator must be a Generator; got ${describeValue(g)}`);
  const n = weights.shape[weights.rank - 1];
  const rows = weights.rank === 2 ? weights.shape[0] : 1;
  if (!Number.isInteger(numSamples) || numSamples < 1)
    throw new ShapeError(`multinomial: numSamples must be a positive integer; got ${describeValue(numSamples)}`);
  if (!replacement && numSamples > n)
    throw new ShapeError(
      `multinomial: cannot draw ${numSamples} samples without replacement from ${n} categories (weights ${formatShape(weights.shape)})`,
    );

  const W = weights.data;
  const out = new Int32Array(rows * numSamples);
  const row = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    let positive = 0;
    for (let c = 0; c < n; c++) {
      const w = W[r * n + c];
      if (!(w >= 0) || w === Infinity)
        throw new TapegradError(
          `multinomial: weights must be finite and >= 0; got ${describeValue(w)} at ${weights.rank === 2 ? `row ${r}, ` : ''}category ${c}`,
        );
      row[c] = w;
      if (w > 0) positive++;
    }
    if (positive === 0) throw new TapegradError(`multinomial: ${weights.rank === 2 ? `row ${r} of ` : ''}the weights sums to 0`);
    if (!replacement && positive < numSamples)
      throw new TapegradError(
        `multinomial: cannot draw ${numSamples} samples without replacement: ${weights.rank === 2 ? `row ${r} has` : 'the weights have'} ${positive} positive weights`,
      );
    if (replacement) drawWithReplacement(row, g, out, r * numSamples, numSamples);
    else for (let s = 0; s < numSamples; s++) row[(out[r * numSamples + s] = drawOne(row, g))] = 0;
  }
  return new Tensor(new NDArray(out, weights.rank === 2 ? [rows, numSamples] : [numSamples]));
}

/** One category with probability row[c] / sum(row): the first c whose running sum exceeds a uniform draw times the sum. */
function drawOne(row: Float64Array, g: Generator): number {
  let total = 0;
  for (let c = 0; c < row.length; c++) total += row[c];
  const u = g.uniform() * total;
  let acc = 0;
  let last = 0;
  for (let c = 0; c < row.length; c++) {
    if (row[c] === 0) continue;
    acc += row[c];
    last = c;
    if (u < acc) return c;
  }
  return last; // u rounded up to the total: the last category with weight
}

/** numSamples independent draws by binary search in the row's running sums (a category of weight 0 never comes up). */
function drawWithReplacement(row: Float64Array, g: Generator, out: Int32Array, at: number, numSamples: number): void {
  const n = row.length;
  const cumulative = new Float64Array(n);
  let acc = 0;
  let last = 0;
  for (let c = 0; c < n; c++) {
    acc += row[c];
    cumulative[c] = acc;
    if (row[c] > 0) last = c;
  }
  for (let s = 0; s < numSamples; s++) {
    const u = g.uniform() * acc;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[at + s] = lo < n ? lo : last;
  }
}
