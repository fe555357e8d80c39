/**
 * Cross-entropy from logits, written as a composite of core ops: L_n = -sum_c t_nc * logSoftmax(x)_nc.
 * It has no rule of its own (the gradient comes from logSoftmax's ops), so it is also the test oracle of the
 * fused softmaxCrossEntropy.
 */
import type { Tensor } from '@tapegrad/core';
import { type Reduction, reduce } from './reduction.js';
import { targetMatrix } from './targets.js';

/**
 * Cross-entropy of logits [N, C] against int32 labels [N] or a one-hot / probability matrix [N, C]
 * (PyTorch's `F.cross_entropy`). `reduction`: 'mean' over the batch (default), 'sum', or 'none' (per sample).
 * @example crossEntropy(logits, tensor([3, 1], { dtype: 'int32' })).backward();
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: { reduction?: Exclude<Reduction, 'halfSum'> } = {}): Tensor {
  const t = targetMatrix(logits, target, 'crossEntropy');
  const perSample = logits.logSoftmax(-1).mul(t).sum(-1).neg();
  return reduce(perSample, options.reduction ?? 'mean', 'crossEntropy');
}
