// y = xhat * w + b,  xhat = (x - mean) / sqrt(var + eps), mean and (biased) var over the last axes (PyTorch's
// layer_norm; w and b optional). With g = dy * w, the means over the normalised axes:
//   dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + eps),   dw = sum of dy xhat,   db = sum of dy
// (dw and db summed over the leading axes). Forward mode: txhat = (tx - mean(tx) - xhat mean(tx xhat)) / sqrt(var + eps),
// ty = txhat w + xhat tw + tb.
// (The rule is batch norm's over other axes; both in normalise.ts.)
// Fused (one pass forward, one backward, instead of about a dozen; the row statistics are kept for backward): the
// composite x.sub(mean).div(var.add(eps).sqrt()).mul(w).add(b) is its test's oracle. Recorded (createGraph), the
// rule is written in differentiable ops.
// Batched (vmap): with only x batched, the same op on the batched value (its batch axis first if it is a normalised
// axis); with a batched weight or bias, the op without them, then the (batched) affine map as elementwise ops. Either
// way no row statistics are saved, and backward takes its differentiable-ops path (a batched value cannot be read).
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import type { RowStats } from '../ndarray/kernels/layer-norm.js';
import { layerNormBackward, layerNormForward } from '../ndarray/kernels/layer-norm.js';
import { alignElementwise, moveBatchAxis } from './batching.js';
import { type NormAttrs, type NormLayout, affineOf, deviceNormalise, normRules } from './normalise.js';

export interface LayerNormAttrs extends NormAttrs {
  /** How many trailing axes are normalised. */
  readonly axes: number;
}

/** Statistics over the last `n` axes; parameters shaped as those axes, broadcast along the leading ones. */
function trailingLayout(rank: number, n: number): NormLayout {
  const axes = Array.from({ length: rank }, (_, i) => i);
  return { stats: axes.slice(rank - n), affine: axes.slice(0, rank - n), lineUp: (p) => p };
}

export const layerNorm: OpWithRules<LayerNormAttrs, TensorNode[]> = defineOp<LayerNormAttrs, TensorNode[]>({
  name: 'layerNorm',
  forward(ctx, x, ...affine) {
    const { axes, eps } = ctx.attrs;
    const width = x.shape.slice(x.rank - axes).reduce((n, d) => n * d, 1);
    const [weight, bias] = affineOf(ctx.attrs, affine);
    // On a device, its fused forward (and backward), the rows as the statistics' groups.
    if (x.raw.device !== undefined) return deviceNormalise(ctx, x, false, x.shape.slice(x.rank - axes), eps, weight, bias).y;
    const { y, stats } = layerNormForward(x.raw, width, eps, weight?.data ?? null, bias?.data ?? null);
    ctx.save(x, weight, stats);
    return y;
  },
  ...normRules<LayerNormAttrs, RowStats>({
    layout: (rank, { axes }) => trailingLayout(rank, axes),
    perChannel: false,
    affineShape: (x, { axes }) => x.shape.slice(x.rank - axes),
    kernelBackward: (dy, x, stats, weight, want) =>
      layerNormBackward(dy, x, stats, stats.mean.length === 0 ? 0 : x.size / stats.mean.length, weight, want),
  }),
  batch(ctx, x, ...affine) {
    const { axes, hasWeight } = ctx.attrs;
    ctx.save(ctx.inputs[0], hasWeight ? ctx.inputs[1] : null, null);
    const [weight, bias] = affineOf(ctx.attrs, affine);
    // x with its batch axis among the leading (not normalised) axes.
    const xs: BatchArg = x.dim === null || x.dim < x.value.rank - axes ? x : { value: moveBatchAxis(x, 0), dim: 0 };
    if ((weight === null || weight.dim === null) && (bias === null || bias.dim === null)) {
      const rest = [weight, bias].filter((a) => a !== null).map((a) => a.value);
      return { value: layerNorm(xs.value, ...rest, ctx.attrs), dim: xs.dim! };
    }
    let y: BatchArg = { value: layerNorm(xs.value, { ...ctx.attrs, hasWeight: false, hasBias: false }), dim: xs.dim };
    if (weight !== null) y = elementwise(y, weight, (a, b) => a.mul(b));
    if (bias !== null) y = elementwise(y, bias, (a, b) => a.add(b));
    return y as BatchResult;
  },
});

/** f of two batch operands (at least one batched), lined up as an elementwise op's. */
function elementwise(a: BatchArg, b: BatchArg, f: (a: TensorNode, b: TensorNode) => TensorNode): BatchArg {
  if (a.dim === null && b.dim === null) return { value: f(a.value, b.value), dim: null };
  const { values, dim } = alignElementwise([a, b]);
  return { value: f(values[0], values[1]), dim };
}
