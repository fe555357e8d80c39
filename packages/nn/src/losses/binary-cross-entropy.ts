/**
 * Binary cross-entropy, on probabilities and on logits:
 *   BCE(p, t)           = -(t log p + (1 - t) log(1 - p))      (logs clamped at -100, as PyTorch does)
 *   BCEWithLogits(x, t) = softplus(x) - t x                     (= BCE(sigmoid(x), t), stable for any x)
 */
import type { Tensor } from '@tapegrad/core';
import { type Reduction, checkSameShape, reduce } from './reduction.js';

/** Options of the binary cross-entropy losses. */
export interface BCEOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  readonly reduction?: Exclude<Reduction, 'halfSum'>;
}

/**
 * BCE of probabilities `p` (e.g. a sigmoid output) against targets in [0, 1].
 * @example binaryCrossEntropy(model.forward(x).sigmoid(), t);
 */
export function binaryCrossEntropy(p: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  checkSameShape(p, target, 'binaryCrossEntropy');
  // The clamp keeps log 0 = -Infinity out of the loss (PyTorch clamps the logs at -100 the same way).
  const logP = p.log().clamp(-100);
  const log1mP = p.neg().add(1).log().clamp(-100);
  const perElement = target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg();
  return reduce(perElement, options.reduction ?? 'mean', 'binaryCrossEntropy');
}

/**
 * BCE from logits: the stable form of binaryCrossEntropy(sigmoid(x), t).
 * @example binaryCrossEntropyWithLogits(logits, t).backward();
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  checkSameShape(logits, target, 'binaryCrossEntropyWithLogits');
  return reduce(logits.softplus().sub(logits.mul(target)), options.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
}
