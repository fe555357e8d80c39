/** Mean absolute error (PyTorch's F.l1_loss): L = reduce(|x - y|); at x = y the gradient is 0, as sign(0) = 0. */
import type { Tensor } from '@tapegrad/core';
import { type Reduction, checkReduction, checkSameShape, reduce } from './reduction.js';

/**
 * Absolute error between `input` and `target` (same shape), reduced by 'mean' (default), 'sum' or 'none'.
 * @example l1Loss(prediction, target).backward();
 */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Exclude<Reduction, 'halfSum'> } = {}): Tensor {
  const reduction = checkReduction(options.reduction, 'l1Loss');
  checkSameShape(input, target, 'l1Loss');
  return reduce(input.sub(target).abs(), reduction, 'l1Loss');
}
