// Batch normalisation with the batch's statistics (PyTorch's batch_norm in training mode), x [N, C, ...]:
//   y = xhat * w[c] + b[c],  xhat = (x - mean[c]) / sqrt(var[c] + eps), mean and (biased) var of channel c over
// every axis but 1 (w and b optional). With g = dy * w[c] and means over channel c's values:
//   dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + eps),   dw[c] = sum of dy xhat,   db[c] = sum of dy.
// Forward mode: txhat = (tx - mean(tx) - xhat mean(tx xhat)) / sqrt(var + eps), ty = txhat w + xhat tw + tb.
// It is layer norm's rule over the other axes (both in normalise.ts, which takes the axes as a NormLayout). Fused (two passes over x forward, two backward, instead of about
// twenty passes of the composite's elementwise ops and reductions; the channel statistics are kept for backward):
// the composite x.sub(mean).div(var.add(eps).sqrt()).mul(w).add(b) is its test's oracle. Recorded (createGraph),
// the rule is written in differentiable ops.
// Batched (vmap): every sample has its own statistics, so the samples go side by side as channels:
// [B, N, C, ...] -> [N, B * C, ...], the weight and bias (repeated when unbatched) -> [B * C], then back.
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { type ChannelStats, batchNormBackward, batchNormForward } from '../ndarray/kernels/batch-norm.js';
import { batchFirst, batchSize } from './batching.js';
import { type DeviceStats, type NormAttrs, type NormLayout, affineOf, deviceNormalise, normRules } from './normalise.js';

export interface BatchNormAttrs extends NormAttrs {
  /**
   * Filled by forward with the batch's per-channel mean and biased variance, for a caller that keeps running
   * statistics (the module); absent under vmap.
   */
  readonly statistics?: { readonly mean: Float64Array; readonly variance: Float64Array; onDevice?: DeviceStats };
}

/** Statistics over every axis of x but the channel axis 1; a [C] parameter lined up as [1, C, 1, ...]. */
function channelLayout(rank: number): NormLayout {
  const axes = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== 1);
  return { stats: axes, affine: axes, lineUp: (p) => p.reshape([1, p.shape[0], ...new Array<number>(rank - 2).fill(1)]) };
}

export const batchNorm: OpWithRules<BatchNormAttrs, TensorNode[]> = defineOp<BatchNormAttrs, TensorNode[]>({
  name: 'batchNorm',
  forward(ctx, x, ...affine) {
    const { eps, statistics } = ctx.attrs;
    const [weight, bias] = affineOf(ctx.attrs, affine);
    if (x.raw.device !== undefined) {
      // The device's fused forward (and backward); its statistics stay on the device for the running ones.
      const r = deviceNormalise(ctx, x, true, [x.shape[1]], eps, weight, bias);
      if (statistics !== undefined) statistics.onDevice = r;
      return r.y;
    }
    const { y, stats } = batchNormForward(x.raw, eps, weight?.data ?? null, bias?.data ?? null);
    if (statistics !== undefined) {
      statistics.mean.set(stats.mean);
      statistics.variance.set(stats.variance);
    }
    ctx.save(x, weight, stats);
    return y;
  },
  ...normRules<BatchNormAttrs, ChannelStats>({
    layout: channelLayout,
    perChannel: true,
    affineShape: (x) => [x.shape[1]],
    kernelBackward: batchNormBackward,
  }),
  batch(ctx, x, ...affine) {
    const { eps, hasWeight, hasBias } = ctx.attrs;
    ctx.save(ctx.inputs[0], hasWeight ? ctx.inputs[1] : null, null);
    const size = batchSize([x, ...affine]);
    const front = batchFirst(x, size); // [B, N, C, ...]
    const [, n, c, ...rest] = front.shape;
    const perm = front.shape.map((_, i) => i);
    [perm[0], perm[1]] = [1, 0];
    const sideBySide = front.transpose(perm).reshape([n, size * c, ...rest]);
    const flat = (arg: BatchArg) => batchFirst(arg, size).reshape([size * c]);
    const y = batchNorm(sideBySide, ...affine.map(flat), { eps, hasWeight, hasBias });
    return { value: y.reshape([n, size, c, ...rest]), dim: 1 } satisfies BatchResult;
  },
});
