// Fused softmax + cross-entropy (seed 004's SoftmaxWithLoss), mean over the batch:
//   L = -(1/N) sum_n sum_c t_nc log y_nc,  y = softmax(x) row-wise, log y = x - logSumExp(x) (stable)
//   dL/dx = (y - t) / N
// One rule instead of the composite logSoftmax chain: one pass over the logits, and a gradient that is exactly
// the seed's (y - t)/N. `crossEntropy` (the composite) is its test oracle.
import { NDArray, type OpContext, Tensor, defineOp, isGradEnabled, noGrad, where } from '@tapegrad/core';
import { batchFirst, batchSize } from './batching.js';
import { targetMatrix } from './targets.js';

interface Saved {
  readonly y: Tensor | null; // softmax of the logits, computed in forward (null under vmap: backward recomputes it)
}

/**
 * The forward pass on a device, from its kernels (log-softmax, exp, where, sum): the same loss and saved softmax as
 * the loop below, which reads values. The target (labels' one-hot rows, built on the CPU) moves to the device.
 */
function onDevice(ctx: OpContext, logits: Tensor, target: Tensor): Tensor {
  const t = target.to(logits.device);
  return noGrad(() => {
    const logp = logits.logSoftmax(-1);
    ctx.save(logits, t, { y: logp.exp() } satisfies Saved);
    // 0 * log 0 is taken as 0, by selection, as in the loop.
    return where(t, t.mul(logp), 0).sum().neg().div(logits.shape[0]);
  });
}

const fused = defineOp({
  name: 'softmaxCrossEntropy',
  forward(ctx, logits: Tensor, target: Tensor) {
    if (logits.device !== 'cpu') return onDevice(ctx, logits, target);
    const [n, c] = logits.shape;
    const x = logits.data;
    const t = target.data;
    const y = new (logits.dtype === 'float32' ? Float32Array : Float64Array)(x.length);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (x[row + j] > m) m = x[row + j];
      if (!Number.isFinite(m)) m = 0;
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x[row + j] - m);
      const lse = m + Math.log(s);
      for (let j = 0; j < c; j++) {
        const logp = x[row + j] - lse;
        y[row + j] = Math.exp(logp);
        // 0 * log 0 is taken as 0: a one-hot target ignores the other classes even when their log p is -Infinity.
        if (t[row + j] !== 0) total -= t[row + j] * logp;
      }
    }
    ctx.save(logits, target, { y: new Tensor(new NDArray(y, [n, c])) } satisfies Saved);
    return NDArray.scalar(total / n, logits.dtype);
  },
  backward(ctx, dy: Tensor) {
    const [logits, target, saved] = ctx.saved as [Tensor, Tensor, Saved];
    const n = logits.shape[0];
    // Under createGraph the softmax is recomputed with recorded ops so that second derivatives flow through it.
    const y = isGradEnabled() || saved.y === null ? logits.softmax(-1) : saved.y;
    return [y.sub(target).mul(dy.div(n)), null];
  },
  // vmap: every sample's mean at once, by the composite (the fused loop computes one batch's mean); backward then
  // runs on the per-sample values as it is.
  batch(ctx, logits, target) {
    ctx.save(ctx.inputs[0], ctx.inputs[1], { y: null } satisfies Saved);
    const size = batchSize(logits, target);
    const x = batchFirst(logits, size);
    const t = batchFirst(target, size);
    // 0 * log 0 is taken as 0, as in forward, by selection.
    const terms = where(t, t.mul(x.logSoftmax(-1)), 0);
    return { value: terms.sum([1, 2]).neg().div(x.shape[1]), dim: 0 };
  },
});

/**
 * Mean softmax cross-entropy from logits [N, C], fused with a stable log-sum-exp; its gradient is the seed's
 * (softmax(x) - t) / N. The target is int32 labels [N] or a one-hot / probability matrix [N, C].
 * @example
 * const loss = softmaxCrossEntropy(model.forward(x), labels);   // labels: int32 [N]
 * loss.backward();
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  return fused(logits, targetMatrix(logits, target, 'softmaxCrossEntropy'));
}
