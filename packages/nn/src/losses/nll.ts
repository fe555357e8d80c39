/**
 * Negative log-likelihood of log-probabilities (PyTorch's F.nll_loss), classes on axis 1:
 *   loss_n = -weight[y_n] * input[n, y_n], 0 where y_n = ignoreIndex
 *   'mean' = sum_n loss_n / sum_n weight[y_n] over the samples not ignored; 'sum'; 'none' (shape of the labels)
 * crossEntropy(x, y) is nllLoss(logSoftmax(x), y).
 */
import type { Tensor } from '@tapegrad/core';
import { classLabels, classWeights, pickedLoss, reduceSamples, toClassRows } from './classes.js';
import { type Reduction, checkReduction } from './reduction.js';

/** Options of nllLoss (PyTorch's names). */
export interface NLLOptions {
  /** A weight per class, shape [C] (default: all 1). It scales each sample's loss and the 'mean' divides by their sum. */
  readonly weight?: Tensor;
  /** Samples with this label count for nothing, neither in the sum nor in the mean's denominator (default -100). */
  readonly ignoreIndex?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  readonly reduction?: Exclude<Reduction, 'halfSum'>;
}

/**
 * NLL of log-probabilities [N, C] (or [C], or [N, C, d1, ...]) against int32 labels [N] (or [], [N, d1, ...]).
 * @example
 * const logp = model.forward(x).logSoftmax(-1);
 * nllLoss(logp, labels, { ignoreIndex: 0 }).backward();
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLOptions = {}): Tensor {
  const op = 'nllLoss';
  const reduction = checkReduction(options.reduction, op);
  const rows = toClassRows(input, op);
  const weight = classWeights(options.weight, rows, op);
  const labels = classLabels(target, rows, options.ignoreIndex ?? -100, op);
  const { perSample, weightSum } = pickedLoss(rows.rows, labels, weight);
  return reduceSamples(perSample, reduction, rows, weightSum);
}
