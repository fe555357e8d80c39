// y = xhat * w + b,  xhat = (x - mean) / sqrt(var + eps), mean and (biased) var over the last axes (PyTorch's
// layer_norm; w and b optional). With g = dy * w, the means over the normalised axes:
//   dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + eps),   dw = sum of dy xhat,   db = sum of dy
// (dw and db summed over the leading axes). Forward mode: txhat = (tx - mean(tx) - xhat mean(tx xhat)) / sqrt(var + eps),
// ty = txhat w + xhat tw + tb.
// Fused (one pass forward, one backward, instead of about a dozen; the row statistics are kept for backward): the
// composite x.sub(mean).div(var.add(eps).sqrt()).mul(w).add(b) is its test's oracle. Recorded (createGraph), the
// rule is written in differentiable ops.
// Batched (vmap): with only x batched, the same op on the batched value (its batch axis first if it is a normalised
// axis); with a batched weight or bias, the op without them, then the (batched) affine map as elementwise ops. Either
// way no row statistics are saved, and backward takes its differentiable-ops path (a batched value cannot be read).
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { isGradEnabled } from '../autodiff/mode.js';
import type { TensorNode } from '../autodiff/node.js';
import type { RowStats } from '../ndarray/kernels/layer-norm.js';
import { layerNormBackward, layerNormForward } from '../ndarray/kernels/layer-norm.js';
import { NDArray } from '../ndarray/ndarray.js';
import { deviceKernel } from '../ndarray/device.js';
import { alignElementwise, moveBatchAxis } from './batching.js';
import { sqrt } from './sqrt.js';

export interface LayerNormAttrs {
  /** How many trailing axes are normalised. */
  readonly axes: number;
  readonly eps: number;
  /** Whether the inputs after x include a weight, and a bias (in that order). */
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

/** The trailing axes of a tensor of `rank` that layer norm normalises. */
const lastAxes = (rank: number, n: number) => Array.from({ length: n }, (_, i) => rank - n + i);

/** xhat and sqrt(var + eps) in differentiable ops. */
function normalise(x: TensorNode, axes: number[], eps: number): { xhat: TensorNode; std: TensorNode } {
  const centred = x.sub(x.sum(axes, true).div(countOf(x, axes)));
  const std = sqrt(centred.mul(centred).sum(axes, true).div(countOf(x, axes)).add(eps));
  return { xhat: centred.div(std), std };
}

function countOf(x: TensorNode, axes: number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

export const layerNorm: OpWithRules<LayerNormAttrs, TensorNode[]> = defineOp<LayerNormAttrs, TensorNode[]>({
  name: 'layerNorm',
  forward(ctx, x, ...affine) {
    const { axes, eps, hasWeight, hasBias } = ctx.attrs;
    const width = x.shape.slice(x.rank - axes).reduce((n, d) => n * d, 1);
    const weight = hasWeight ? affine[0] : null;
    const bias = hasBias ? affine[hasWeight ? 1 : 0] : null;
    const device = x.raw.device;
    if (device !== undefined) {
      // The device's fused forward; no row statistics are saved, so backward takes the differentiable-ops path.
      ctx.save(x, weight, null);
      return deviceKernel(device, 'layerNorm').layerNorm(x.raw, width, eps, weight?.raw ?? null, bias?.raw ?? null);
    }
    const { y, stats } = layerNormForward(x.raw, width, eps, weight?.data ?? null, bias?.data ?? null);
    ctx.save(x, weight, stats);
    return y;
  },
  backward(ctx, dy) {
    const { axes: n, eps, hasWeight, hasBias } = ctx.attrs;
    const [x, weight, stats] = ctx.saved as unknown as [TensorNode, TensorNode | null, RowStats | null];
    const leading = Array.from({ length: x.rank - n }, (_, i) => i);
    const needs = ctx.inputs.map((_, i) => ctx.needsGrad(i));
    const [wantDx, wantDw, wantDb] = [needs[0], hasWeight && needs[1], hasBias && needs[hasWeight ? 2 : 1]];
    const grads: Array<TensorNode | null> = [];
    if (isGradEnabled() || stats === null) {
      const axes = lastAxes(x.rank, n);
      const { xhat, std } = normalise(x, axes, eps);
      const g = weight === null ? dy : dy.mul(weight);
      const count = countOf(x, axes);
      const dx = g
        .sub(g.sum(axes, true).div(count))
        .sub(xhat.mul(g.mul(xhat).sum(axes, true).div(count)))
        .div(std);
      grads.push(wantDx ? dx : null);
      if (hasWeight) grads.push(wantDw ? dy.mul(xhat).sum(leading) : null);
      if (hasBias) grads.push(wantDb ? dy.sum(leading) : null);
      return grads;
    }
    const width = x.size / Math.max(1, stats.mean.length);
    const r = layerNormBackward(dy.raw, x.raw, stats, stats.mean.length === 0 ? 0 : width, weight?.data ?? null, {
      dx: wantDx,
      dWeight: wantDw,
      dBias: wantDb,
    });
    const affineShape = x.shape.slice(x.rank - n);
    const asNode = (data: Float64Array | null) =>
      data === null ? null : (x.make(new NDArray(castLike(data, x), affineShape)) as TensorNode);
    grads.push(r.dx === null ? null : (x.make(r.dx) as TensorNode));
    if (hasWeight) grads.push(asNode(r.dWeight as Float64Array | null));
    if (hasBias) grads.push(asNode(r.dBias as Float64Array | null));
    return grads;
  },
  tangent(_m, ctx, tx, ...affine) {
    const { axes: n, eps, hasWeight, hasBias } = ctx.attrs;
    const [x] = ctx.inputs;
    const weight = hasWeight ? ctx.inputs[1] : null;
    const [tw, tb] = [hasWeight ? affine[0] : null, hasBias ? affine[hasWeight ? 1 : 0] : null];
    const axes = lastAxes(x.rank, n);
    const count = countOf(x, axes);
    const { xhat, std } = normalise(x, axes, eps);
    let t: TensorNode | null = null;
    if (tx) {
      const txhat = tx
        .sub(tx.sum(axes, true).div(count))
        .sub(xhat.mul(tx.mul(xhat).sum(axes, true).div(count)))
        .div(std);
      t = weight === null ? txhat : txhat.mul(weight);
    }
    if (tw) t = t === null ? xhat.mul(tw) : t.add(xhat.mul(tw));
    if (tb) t = t === null ? tb : t.add(tb);
    return t;
  },
  batch(ctx, x, ...affine) {
    const { axes, hasWeight, hasBias } = ctx.attrs;
    ctx.save(ctx.inputs[0], hasWeight ? ctx.inputs[1] : null, null);
    const [weight, bias] = [hasWeight ? affine[0] : null, hasBias ? affine[hasWeight ? 1 : 0] : null];
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

/** The summed affine gradient (kept in float64 while summing) in x's dtype. */
function castLike(data: Float64Array, x: TensorNode) {
  return x.dtype === 'float32' ? Float32Array.from(data) : data;
}
