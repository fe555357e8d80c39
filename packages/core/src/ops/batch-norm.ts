// Batch normalisation with the batch's statistics (PyTorch's batch_norm in training mode), x [N, C, ...]:
//   y = xhat * w[c] + b[c],  xhat = (x - mean[c]) / sqrt(var[c] + eps), mean and (biased) var of channel c over
// every axis but 1 (w and b optional). With g = dy * w[c] and means over channel c's values:
//   dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + eps),   dw[c] = sum of dy xhat,   db[c] = sum of dy.
// Forward mode: txhat = (tx - mean(tx) - xhat mean(tx xhat)) / sqrt(var + eps), ty = txhat w + xhat tw + tb.
// It is layer norm's rule over the other axes. Fused (two passes over x forward, two backward, instead of about
// twenty passes of the composite's elementwise ops and reductions; the channel statistics are kept for backward):
// the composite x.sub(mean).div(var.add(eps).sqrt()).mul(w).add(b) is its test's oracle. Recorded (createGraph),
// the rule is written in differentiable ops.
// Batched (vmap): every sample has its own statistics, so the samples go side by side as channels:
// [B, N, C, ...] -> [N, B * C, ...], the weight and bias (repeated when unbatched) -> [B * C], then back.
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { isGradEnabled } from '../autodiff/mode.js';
import type { TensorNode } from '../autodiff/node.js';
import { type ChannelStats, batchNormBackward, batchNormForward } from '../ndarray/kernels/batch-norm.js';
import { NDArray } from '../ndarray/ndarray.js';
import { batchFirst, batchSize } from './batching.js';
import { sqrt } from './sqrt.js';

export interface BatchNormAttrs {
  readonly eps: number;
  /** Whether the inputs after x include a weight, and a bias (in that order). */
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
  /**
   * Filled by forward with the batch's per-channel mean and biased variance, for a caller that keeps running
   * statistics (the module); absent under vmap.
   */
  readonly statistics?: { readonly mean: Float64Array; readonly variance: Float64Array };
}

/** Every axis of x but the channel axis 1. */
const statAxes = (rank: number) => Array.from({ length: rank }, (_, i) => i).filter((i) => i !== 1);

/** The per-channel view [1, C, 1, ...] of a [C] weight for x of `rank`. */
const perChannel = (t: TensorNode, rank: number) => t.reshape([1, t.shape[0], ...new Array<number>(rank - 2).fill(1)]);

/** xhat and sqrt(var + eps) in differentiable ops. */
function normalise(x: TensorNode, axes: number[], eps: number): { xhat: TensorNode; std: TensorNode } {
  const count = countOf(x, axes);
  const centred = x.sub(x.sum(axes, true).div(count));
  const std = sqrt(centred.mul(centred).sum(axes, true).div(count).add(eps));
  return { xhat: centred.div(std), std };
}

function countOf(x: TensorNode, axes: number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

export const batchNorm: OpWithRules<BatchNormAttrs, TensorNode[]> = defineOp<BatchNormAttrs, TensorNode[]>({
  name: 'batchNorm',
  forward(ctx, x, ...affine) {
    const { eps, hasWeight, hasBias, statistics } = ctx.attrs;
    const weight = hasWeight ? affine[0] : null;
    const bias = hasBias ? affine[hasWeight ? 1 : 0] : null;
    const { y, stats } = batchNormForward(x.raw, eps, weight?.data ?? null, bias?.data ?? null);
    if (statistics !== undefined) {
      statistics.mean.set(stats.mean);
      statistics.variance.set(stats.variance);
    }
    ctx.save(x, weight, stats);
    return y;
  },
  backward(ctx, dy) {
    const { eps, hasWeight, hasBias } = ctx.attrs;
    const [x, weight, stats] = ctx.saved as unknown as [TensorNode, TensorNode | null, ChannelStats | null];
    const needs = ctx.inputs.map((_, i) => ctx.needsGrad(i));
    const [wantDx, wantDw, wantDb] = [needs[0], hasWeight && needs[1], hasBias && needs[hasWeight ? 2 : 1]];
    const grads: Array<TensorNode | null> = [];
    if (isGradEnabled() || stats === null) {
      const axes = statAxes(x.rank);
      const { xhat, std } = normalise(x, axes, eps);
      const g = weight === null ? dy : dy.mul(perChannel(weight, x.rank));
      const count = countOf(x, axes);
      const dx = g
        .sub(g.sum(axes, true).div(count))
        .sub(xhat.mul(g.mul(xhat).sum(axes, true).div(count)))
        .div(std);
      grads.push(wantDx ? dx : null);
      if (hasWeight) grads.push(wantDw ? dy.mul(xhat).sum(axes) : null);
      if (hasBias) grads.push(wantDb ? dy.sum(axes) : null);
      return grads;
    }
    const r = batchNormBackward(dy.raw, x.raw, stats, weight?.data ?? null, { dx: wantDx, dWeight: wantDw, dBias: wantDb });
    const asNode = (data: Float64Array | null) =>
      data === null ? null : (x.make(new NDArray(x.dtype === 'float32' ? Float32Array.from(data) : data, [x.shape[1]])) as TensorNode);
    grads.push(r.dx === null ? null : (x.make(r.dx) as TensorNode));
    if (hasWeight) grads.push(asNode(r.dWeight));
    if (hasBias) grads.push(asNode(r.dBias));
    return grads;
  },
  tangent(_m, ctx, tx, ...affine) {
    const { eps, hasWeight, hasBias } = ctx.attrs;
    const [x] = ctx.inputs;
    const weight = hasWeight ? ctx.inputs[1] : null;
    const [tw, tb] = [hasWeight ? affine[0] : null, hasBias ? affine[hasWeight ? 1 : 0] : null];
    const axes = statAxes(x.rank);
    const count = countOf(x, axes);
    const { xhat, std } = normalise(x, axes, eps);
    let t: TensorNode | null = null;
    if (tx) {
      const txhat = tx
        .sub(tx.sum(axes, true).div(count))
        .sub(xhat.mul(tx.mul(xhat).sum(axes, true).div(count)))
        .div(std);
      t = weight === null ? txhat : txhat.mul(perChannel(weight, x.rank));
    }
    if (tw) t = t === null ? xhat.mul(perChannel(tw, x.rank)) : t.add(xhat.mul(perChannel(tw, x.rank)));
    if (tb) t = t === null ? perChannel(tb, x.rank).broadcastTo(x.shape) : t.add(perChannel(tb, x.rank));
    return t;
  },
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
