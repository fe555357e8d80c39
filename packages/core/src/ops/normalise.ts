// What batch norm and layer norm share. Both are y = xhat * w + b with xhat = (x - mean) / sqrt(var + eps), mean and
// (biased) var over some axes of x; with g = dy * w and means over those axes,
//   dx = (g - mean(g) - xhat mean(g xhat)) / sqrt(var + eps),   dw = sum of dy xhat,   db = sum of dy
// (dw and db summed over the axes the affine parameters are broadcast along), and forward mode's
//   txhat = (tx - mean(tx) - xhat mean(tx xhat)) / sqrt(var + eps),   ty = txhat w + xhat tw + tb.
// They differ only in where the statistics are taken (batch norm: every axis but the channels; layer norm: the last
// axes) and in how a parameter lines up with x (per channel, or per trailing element): a NormLayout. The rules below
// are the ops' differentiable paths (createGraph, vmap); their fused kernels are in ndarray/kernels, and a device's
// behind DeviceBackend.normalise.
import type { OpContext } from '../autodiff/context.js';
import type { OpDefinition } from '../autodiff/define-op.js';
import { isGradEnabled } from '../autodiff/mode.js';
import type { TensorNode } from '../autodiff/node.js';
import type { TypedArray } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { deviceKernel } from '../ndarray/device.js';
import { sqrt } from './sqrt.js';

/** Whether the inputs after x include a weight, and a bias (in that order). */
export interface AffineFlags {
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

/** Where a normalisation takes its statistics and how its parameters line up with x. */
export interface NormLayout {
  /** The axes of x that each mean and variance run over. */
  readonly stats: number[];
  /** The axes of x a weight or bias is broadcast along (dw and db are summed over them). */
  readonly affine: number[];
  /** A [C] or trailing-shaped parameter (or its tangent) shaped to broadcast against x. */
  lineUp(p: TensorNode): TensorNode;
}

/** The weight and bias among the inputs after x (null where absent). */
export function affineOf<T>(flags: AffineFlags, affine: readonly T[]): [T | null, T | null] {
  return [flags.hasWeight ? affine[0] : null, flags.hasBias ? affine[flags.hasWeight ? 1 : 0] : null];
}

/** Which of dx, dw and db an entry's inputs want. */
export interface WantedGrads {
  readonly dx: boolean;
  readonly dWeight: boolean;
  readonly dBias: boolean;
}

/** Which of dx, dw and db the entry's inputs want. */
function wantedGrads(ctx: OpContext<AffineFlags>): WantedGrads {
  const { hasWeight, hasBias } = ctx.attrs;
  return { dx: ctx.needsGrad(0), dWeight: hasWeight && ctx.needsGrad(1), dBias: hasBias && ctx.needsGrad(hasWeight ? 2 : 1) };
}

/** How many values each statistic runs over. */
function countOf(x: TensorNode, axes: number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

/** xhat and sqrt(var + eps) in differentiable ops. */
function normalise(x: TensorNode, axes: number[], eps: number): { xhat: TensorNode; std: TensorNode } {
  const count = countOf(x, axes);
  const centred = x.sub(x.sum(axes, true).div(count));
  const std = sqrt(centred.mul(centred).sum(axes, true).div(count).add(eps));
  return { xhat: centred.div(std), std };
}

/** (g - mean(g) - xhat mean(g xhat)) / std: a gradient (or tangent) carried through xhat = normalise(x). */
function throughXhat(g: TensorNode, xhat: TensorNode, std: TensorNode, axes: number[], count: number): TensorNode {
  return g
    .sub(g.sum(axes, true).div(count))
    .sub(xhat.mul(g.mul(xhat).sum(axes, true).div(count)))
    .div(std);
}

/** dx, dw and db (each null where not wanted, dw and db only where the op has them) in differentiable ops. */
function normGradients(
  layout: NormLayout,
  flags: AffineFlags,
  want: WantedGrads,
  x: TensorNode,
  weight: TensorNode | null,
  dy: TensorNode,
  eps: number,
): Array<TensorNode | null> {
  const { xhat, std } = normalise(x, layout.stats, eps);
  const g = weight === null ? dy : dy.mul(layout.lineUp(weight));
  const grads: Array<TensorNode | null> = [want.dx ? throughXhat(g, xhat, std, layout.stats, countOf(x, layout.stats)) : null];
  if (flags.hasWeight) grads.push(want.dWeight ? dy.mul(xhat).sum(layout.affine) : null);
  if (flags.hasBias) grads.push(want.dBias ? dy.sum(layout.affine) : null);
  return grads;
}

/** The output's tangent from those of x, the weight and the bias (null where not perturbed). */
function normTangent(
  layout: NormLayout,
  x: TensorNode,
  weight: TensorNode | null,
  eps: number,
  tx: TensorNode | null,
  tw: TensorNode | null,
  tb: TensorNode | null,
): TensorNode | null {
  const { xhat, std } = normalise(x, layout.stats, eps);
  let t: TensorNode | null = null;
  if (tx) {
    const txhat = throughXhat(tx, xhat, std, layout.stats, countOf(x, layout.stats));
    t = weight === null ? txhat : txhat.mul(layout.lineUp(weight));
  }
  if (tw) t = t === null ? xhat.mul(layout.lineUp(tw)) : t.add(xhat.mul(layout.lineUp(tw)));
  if (tb) t = t === null ? layout.lineUp(tb).broadcastTo(x.shape) : t.add(layout.lineUp(tb));
  return t;
}

/** A fused kernel's dx, dw and db (a CPU kernel's dw and db summed in float64) as nodes like x, in the order of the op's inputs. */
function kernelGradients(
  flags: AffineFlags,
  x: TensorNode,
  affineShape: readonly number[],
  r: { dx: NDArray | null; dWeight: Float64Array | NDArray | null; dBias: Float64Array | NDArray | null },
): Array<TensorNode | null> {
  // A device's are arrays there already; a CPU kernel's are float64 sums.
  const asNode = (data: Float64Array | NDArray | null) =>
    data === null
      ? null
      : (x.make(
          data instanceof NDArray ? data : new NDArray(x.dtype === 'float32' ? Float32Array.from(data) : data, affineShape),
        ) as TensorNode);
  const grads: Array<TensorNode | null> = [r.dx === null ? null : (x.make(r.dx) as TensorNode)];
  if (flags.hasWeight) grads.push(asNode(r.dWeight));
  if (flags.hasBias) grads.push(asNode(r.dBias));
  return grads;
}

/** A device's statistics of the forward, saved for backward. */
export interface DeviceStats {
  readonly mean: NDArray;
  readonly variance: NDArray;
}

/**
 * The device's fused forward (DeviceBackend.normalise), its statistics saved after x and the weight for its fused
 * backward: per channel (batch norm) or over the trailing `affineShape` (layer norm).
 */
export function deviceNormalise(
  ctx: OpContext<AffineFlags>,
  x: TensorNode,
  perChannel: boolean,
  affineShape: readonly number[],
  eps: number,
  weight: TensorNode | null,
  bias: TensorNode | null,
): { y: NDArray } & DeviceStats {
  const r = deviceKernel(x.raw.device!, 'normalise').normalise(x.raw, perChannel, affineShape, eps, weight?.raw ?? null, bias?.raw ?? null);
  ctx.save(x, weight, r);
  return r;
}

/** The device's fused backward: dx, dw and db as nodes, in the order of the op's inputs (null where not wanted). */
function deviceNormGradients(
  ctx: OpContext<AffineFlags>,
  dy: TensorNode,
  perChannel: boolean,
  affineShape: readonly number[],
  eps: number,
): Array<TensorNode | null> {
  const [x, weight, stats] = ctx.saved as unknown as [TensorNode, TensorNode | null, DeviceStats];
  const r = deviceKernel(x.raw.device!, 'normaliseBackward').normaliseBackward(
    dy.raw,
    x.raw,
    perChannel,
    affineShape,
    stats,
    eps,
    weight?.raw ?? null,
    wantedGrads(ctx),
  );
  return kernelGradients(ctx.attrs, x, affineShape, r);
}

/** The attributes both ops have: which affine parameters follow x, and eps. */
export interface NormAttrs extends AffineFlags {
  readonly eps: number;
}

/** What tells batch norm from layer norm in their rules. */
export interface NormKind<Attrs extends NormAttrs, Stats> {
  /** Where the statistics of an x of rank `rank` are taken, and how a parameter lines up with x. */
  layout(rank: number, attrs: Attrs): NormLayout;
  /** Whether the device's kernels group the statistics per channel (batch norm) or over the trailing axes. */
  readonly perChannel: boolean;
  /** The shape of a weight or bias for x. */
  affineShape(x: TensorNode, attrs: Attrs): readonly number[];
  /** The fused CPU backward, from the statistics the CPU forward saved. */
  kernelBackward(
    dy: NDArray,
    x: NDArray,
    stats: Stats,
    weight: TypedArray | null,
    want: WantedGrads,
  ): { dx: NDArray | null; dWeight: Float64Array | null; dBias: Float64Array | null };
}

/**
 * The backward and tangent rules of a normalisation whose forward saved x, the weight and its statistics
 * (`ctx.save(x, weight, stats)`; null statistics under vmap): recorded (createGraph) or without statistics, the
 * differentiable ops of its layout; else the fused backward of the device or of the CPU.
 */
export function normRules<Attrs extends NormAttrs, Stats>(
  kind: NormKind<Attrs, Stats>,
): Required<Pick<OpDefinition<Attrs, TensorNode[]>, 'backward' | 'tangent'>> {
  return {
    backward(ctx, dy) {
      const [x, weight, stats] = ctx.saved as unknown as [TensorNode, TensorNode | null, Stats | null];
      const { attrs } = ctx;
      const want = wantedGrads(ctx);
      if (isGradEnabled() || stats === null) return normGradients(kind.layout(x.rank, attrs), attrs, want, x, weight, dy, attrs.eps);
      const affineShape = kind.affineShape(x, attrs);
      if (x.raw.device !== undefined) return deviceNormGradients(ctx, dy, kind.perChannel, affineShape, attrs.eps);
      return kernelGradients(attrs, x, affineShape, kind.kernelBackward(dy.raw, x.raw, stats, weight?.data ?? null, want));
    },
    tangent(_m, ctx, tx, ...affine) {
      const [x] = ctx.inputs;
      const [weight] = affineOf(ctx.attrs, ctx.inputs.slice(1));
      return normTangent(kind.layout(x.rank, ctx.attrs), x, weight, ctx.attrs.eps, tx, ...affineOf(ctx.attrs, affine));
    },
  };
}
