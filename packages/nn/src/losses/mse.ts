/** Mean squared error and its sum forms: L = reduce((y - t)^2). */
import type { Tensor } from '@tapegrad/core';
import { type Reduction, checkSameShape, reduce } from './reduction.js';

/**
 * Squared error between `input` and `target` (same shape). `reduction` is 'mean' (default, PyTorch's),
 * 'sum', 'halfSum' (the documents' E = 1/2 sum (t - y)^2, whose gradient is y - t) or 'none'.
 * @example mseLoss(y, t, { reduction: 'halfSum' }).backward();
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkSameShape(input, target, 'mseLoss');
  return reduce(input.sub(target).square(), options.reduction ?? 'mean', 'mseLoss');
}
