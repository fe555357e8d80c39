/**
 * Binary cross-entropy, on probabilities and on logits:
 *   BCE(p, t)           = -(t max(log p, -100) + (1 - t) max(log(1 - p), -100))    (PyTorch's clamp at -100)
 *   dBCE/dp             = (p - t) / max(p (1 - p), 1e-12)                            (PyTorch's rule, finite at p = 0, 1)
 *   dBCE/dt             = max(log(1 - p), -100) - max(log p, -100)
 *   BCEWithLogits(x, t) = softplus(x) - t x                                         (= BCE(sigmoid(x), t), stable for any x)
 * BCE has its own rule because the composite's chain through log p gives 0 * Infinity = NaN at p = 0 or 1, even
 * for a confident correct prediction; PyTorch differentiates it as one function for the same reason.
 */
import { type Tensor, TapegradError, defineOp, valuesForCheck, where } from '@tapegrad/core';
import { batchFirst, batchSize } from './batching.js';
import { type Reduction, checkReduction, checkSameShape, reduce } from './reduction.js';

/** Options of the binary cross-entropy losses. */
export interface BCEOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  readonly reduction?: Exclude<Reduction, 'halfSum'>;
}

const clampedLog = (x: Tensor): Tensor => x.log().clamp(-100);
// PyTorch's floor on p (1 - p) is the float32 nearest to 1e-12 (9.99999996e-13) in every dtype: taking the same
// number keeps the gradient at p = 0 or 1 with t between them (about 1e12) equal to PyTorch's to the last digit.
const P_FLOOR = Math.fround(1e-12);

const elementwiseBCE = defineOp({
  name: 'binaryCrossEntropy',
  forward(ctx, p: Tensor, t: Tensor) {
    ctx.saveInputs();
    return t
      .mul(clampedLog(p))
      .add(
        t
          .neg()
          .add(1)
          .mul(clampedLog(p.neg().add(1))),
      )
      .neg();
  },
  backward(ctx, dy: Tensor) {
    const [p, t] = ctx.saved as [Tensor, Tensor];
    const dp = ctx.needsInputGrad[0] ? dy.mul(p.sub(t)).div(p.mul(p.neg().add(1)).maximum(P_FLOOR)) : null;
    const dt = ctx.needsInputGrad[1] ? dy.mul(clampedLog(p.neg().add(1)).sub(clampedLog(p))) : null;
    return [dp, dt];
  },
  // Elementwise: the op itself on every sample at once, each operand's batch axis first (an unbatched one repeated).
  batch(ctx, p, t): { value: Tensor; dim: number } {
    ctx.saveInputs();
    const size = batchSize(p, t);
    return { value: elementwiseBCE(batchFirst(p, size), batchFirst(t, size)), dim: 0 };
  },
});

/**
 * BCE of probabilities `p` (e.g. a sigmoid output) against targets in [0, 1].
 * @example binaryCrossEntropy(model.forward(x).sigmoid(), t);
 */
export function binaryCrossEntropy(p: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  const reduction = checkReduction(options.reduction, op);
  checkSameShape(p, target, op);
  if (p.device !== 'cpu') {
    // A device's values cannot be read synchronously: a p outside [0, 1] makes its term NaN instead of an error.
    const inside = p.ge(0).logicalAnd(p.le(1));
    return reduce(where(inside, elementwiseBCE(p, target), NaN), reduction, op);
  }
  // Under vmap, every sample's values (a batched tensor's own cannot be read).
  const data = valuesForCheck(p);
  for (let i = 0; i < data.length; i++) {
    // PyTorch refuses these too: a "probability" outside [0, 1] is a bug upstream (a missing sigmoid).
    if (!(data[i] >= 0 && data[i] <= 1)) throw new TapegradError(`${op}: p must lie in [0, 1], got ${data[i]} at position ${i}`);
  }
  return reduce(elementwiseBCE(p, target), reduction, op);
}

/**
 * BCE from logits: the stable form of binaryCrossEntropy(sigmoid(x), t).
 * @example binaryCrossEntropyWithLogits(logits, t).backward();
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const reduction = checkReduction(options.reduction, op);
  checkSameShape(logits, target, op);
  return reduce(logits.softplus().sub(logits.mul(target)), reduction, op);
}
