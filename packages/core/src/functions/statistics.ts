/**
 * var, std and norm on Tensors (PyTorch's `torch.var`, `torch.std`, `torch.linalg.vector_norm`). var and std are
 * composites of mean, sub, mul and sum, so their gradients are those ops' rules; the 2-norm is its own op (its
 * subgradient at the zero vector is 0), the 1- and max-norms are composites of abs with sum and max.
 */
import { TapegradError } from '../errors.js';
import { describeValue, normalizeAxes } from '../ndarray/shape.js';
import type { Tensor } from '../tensor.js';
import * as ops from '../ops/index.js';

/** Options of `Tensor.var` and `Tensor.std`. */
export interface VarianceOptions {
  /**
   * Divide the sum of squared deviations by N - correction (PyTorch's `correction`, default 1: Bessel's unbiased
   * estimate; 0 for the population variance). Where N - correction is 0 or less, as PyTorch, the result is
   * Infinity or NaN (0 / 0, a single sample with the default).
   */
  readonly correction?: number;
  /** Keep the reduced axes with size 1. */
  readonly keepDims?: boolean;
}

/**
 * The variance over `axis` (one axis, a list, or all when omitted): sum((x - mean)^2) / (N - correction).
 * @example
 * variance(tensor([1, 2, 3, 4]));                     // 1.6667 (correction 1)
 * variance(tensor([1, 2, 3, 4]), undefined, { correction: 0 });   // 1.25
 */
export function variance(x: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  const axes = normalizeAxes(axis, x.rank, 'var');
  const correction = options.correction ?? 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction))
    throw new TapegradError(`var: correction is a finite number; got ${describeValue(correction)}`);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  const deviation = x.sub(x.mean(axes, true));
  return deviation
    .mul(deviation)
    .sum(axes, options.keepDims ?? false)
    .div(count - correction);
}

/**
 * The standard deviation over `axis`: sqrt of {@link variance} with the same options. Its gradient is NaN where
 * the deviation is 0 (a constant input), as in PyTorch and JAX: the square root has no derivative at 0.
 * @example
 * std(tensor([[1, 2], [3, 5]]), 1);   // [0.7071, 1.4142]
 */
export function std(x: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  return variance(x, axis, options).sqrt();
}

/** The orders `Tensor.norm` takes: 1, 2, Infinity, -Infinity, or 'fro' (the 2-norm over the reduced axes); other numbers are refused. */
export type NormOrder = number | 'fro';

/**
 * The vector p-norm over `axis` (all axes when omitted), PyTorch's `torch.linalg.vector_norm`: p = 2 (default)
 * sqrt(sum x^2), p = 1 sum |x|, p = Infinity max |x|, p = -Infinity min |x|, 'fro' the same as 2. At the zero
 * vector every order has the subgradient 0, as PyTorch.
 * @example
 * norm(tensor([3, -4]));             // 5
 * norm(tensor([3, -4]), 1);          // 7
 * norm(tensor([[3, -4], [1, 0]]), Infinity, 1);   // [4, 1]
 */
export function norm(x: Tensor, p: NormOrder = 2, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = normalizeAxes(axis, x.rank, 'norm');
  if (p === 2 || p === 'fro') return ops.norm(x, { axes, keepDims });
  if (p === 1) return x.abs().sum(axes, keepDims);
  if (p === Infinity) return x.abs().max(axes, keepDims);
  if (p === -Infinity) return x.abs().min(axes, keepDims);
  throw new TapegradError(`norm: p is 1, 2, Infinity, -Infinity or 'fro'; got ${describeValue(p)}`);
}
