/**
 * Cross-entropy from logits (PyTorch's F.cross_entropy), a composite of core ops with no rule of its own, so it
 * is also the test oracle of the fused softmaxCrossEntropy. Classes on axis 1; logp = logSoftmax(x), eps the
 * label smoothing, w the class weights (1 without `weight`), C the number of classes:
 *   labels:        loss_n = (1 - eps) * -w[y_n] logp[n, y_n] + (eps / C) * -sum_c w_c logp[n, c],  0 if ignored
 *                  'mean' divides the sum by sum_n w[y_n] over the samples not ignored (as nllLoss)
 *   probabilities: loss_n = -sum_c w_c t'[n, c] logp[n, c],  t' = (1 - eps) t + eps / C;  'mean' divides by N
 * A zero target probability ignores its class even where logp is -Infinity (0 log 0 = 0).
 */
import { GradError, ShapeError, Tensor, TapegradError, where } from '@tapegrad/core';
import { type ClassRows, classLabels, classWeights, maskIgnored, pickedLoss, reduceSamples, toClassRows } from './classes.js';
import type { NLLOptions } from './nll.js';
import { checkReduction, shapeOf } from './reduction.js';

/** Options of crossEntropy (PyTorch's names): nllLoss's, and label smoothing. With a probability target, `ignoreIndex` is an error. */
export interface CrossEntropyOptions extends NLLOptions {
  /** Mixes the target with the uniform distribution: (1 - labelSmoothing) t + labelSmoothing / C (default 0). */
  readonly labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C] (or [C], or [N, C, d1, ...]) against int32 labels [N] (or [], [N, d1, ...])
 * or class probabilities of the logits' shape.
 * @example
 * crossEntropy(logits, tensor([3, 1], { dtype: 'int32' })).backward();
 * crossEntropy(logits, labels, { weight: tensor([1, 4]), ignoreIndex: -100, labelSmoothing: 0.1 });
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const reduction = checkReduction(options.reduction, op);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new TapegradError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const rows = toClassRows(logits, op);
  const weight = classWeights(options.weight, rows, op);
  const logp = rows.rows.logSoftmax(-1);
  if (target instanceof Tensor && target.dtype !== 'int32') {
    if (options.ignoreIndex !== undefined)
      throw new ShapeError(`${op}: ignoreIndex applies to int32 class labels, not to a probability target ${shapeOf(target)}`);
    return probabilityLoss(logp, target, logits, rows, weight, eps, reduction);
  }
  const labels = classLabels(target, rows, options.ignoreIndex ?? -100, op);
  const { perSample: nll, weightSum } = pickedLoss(logp, labels, weight);
  let perSample = nll;
  if (eps > 0) {
    const c = rows.classes;
    const weighted = weight ? logp.mul(weight) : logp;
    const smooth = maskIgnored(weighted.sum(-1).neg(), labels.keep);
    perSample = nll.mul(1 - eps).add(smooth.mul(eps / c));
  }
  return reduceSamples(perSample, reduction, rows, weightSum);
}

function probabilityLoss(
  logp: Tensor,
  target: Tensor,
  logits: Tensor,
  rows: ClassRows,
  weight: Tensor | null,
  eps: number,
  reduction: 'mean' | 'sum' | 'none',
): Tensor {
  const op = 'crossEntropy';
  if (target.rank !== logits.rank || target.shape.some((d, i) => d !== logits.shape[i]))
    throw new ShapeError(`${op}: a probability target must have the logits' shape ${shapeOf(logits)}, got ${shapeOf(target)}`);
  if (target.requiresGrad) throw new GradError(`${op}: the target must not require grad; detach() it`);
  const [m, c] = logp.shape;
  // The target as rows [M, C] like the logits, smoothed and weighted: built with ops, so that it batches (vmap).
  const t = toClassRows(target.cast(logp.dtype), op).rows;
  const smoothed = eps > 0 ? t.mul(1 - eps).add(eps / c) : t;
  const coef = weight ? smoothed.mul(weight) : smoothed;
  // A zero coefficient ignores its class even where logp is -Infinity (0 log 0 = 0), by selection.
  const terms = where(coef, logp.mul(coef), 0);
  return reduceSamples(terms.sum(-1).neg(), reduction, rows, m);
}
