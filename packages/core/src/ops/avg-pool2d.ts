// y[n, c, oh, ow] = (sum of x over the window) / d, with d = kh * kw when padding counts (countIncludePad), else the
// number of window elements inside x. y is linear in x, so dx is its adjoint applied to dy: each window's dy / d is
// added to every element of the window (avgPool2dAdjoint). The adjoint is linear too, and its own adjoint is avgPool2d,
// so every order is differentiable. Forward mode: ty = avgPool2d(tx), and likewise for the adjoint.
// Batched (vmap): the batch axis is one more leading axis, so more planes (moved first when it is a pooled axis).
import type { OpWithRules } from '../autodiff/define-op.js';
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import type { TensorNode } from '../autodiff/node.js';
import { type PoolGeometry, avgPool2d as kernel } from '../ndarray/kernels/pool.js';
import { moveBatchAxis } from './batching.js';
import { linearPair } from './linear-pair.js';

/** A pooling's geometry, whether padding counts in each divisor, and the shape of the pooled input. */
export interface AvgPoolAttrs extends PoolGeometry {
  readonly countIncludePad: boolean;
  readonly inputShape: readonly number[];
}

const outputShape = (a: AvgPoolAttrs) => [...a.inputShape.slice(0, -2), a.outH, a.outW];

const pair = linearPair<AvgPoolAttrs, AvgPoolAttrs, [TensorNode]>(
  {
    name: 'avgPool2d',
    forward: (ctx, x) => kernel(x.raw, ctx.attrs, ctx.attrs.countIncludePad, false, outputShape(ctx.attrs)),
    adjointAttrs: (ctx) => ctx.attrs,
    batch: (ctx, x) => morePlanes(x, ctx.attrs, (v, attrs) => avgPool2d(v, attrs)),
  },
  {
    name: 'avgPool2dAdjoint',
    forward: (ctx, dy) => kernel(dy.raw, ctx.attrs, ctx.attrs.countIncludePad, true, ctx.attrs.inputShape),
    adjointAttrs: (ctx) => ctx.attrs,
    batch: (ctx, g) => morePlanes(g, ctx.attrs, (v, attrs) => avgPool2dAdjoint(v, attrs)),
  },
);
export const avgPool2d: OpWithRules<AvgPoolAttrs, [TensorNode]> = pair[0];
/** The adjoint of avgPool2d: spreads each output's value over its window (divided as the forward divides). */
export const avgPool2dAdjoint: OpWithRules<AvgPoolAttrs, [TensorNode]> = pair[1];

/**
 * Either op on a batched value: the batch axis, kept where it is among the leading axes (or moved first when it is
 * one of the last two), is one more plane axis.
 */
function morePlanes(arg: BatchArg, attrs: AvgPoolAttrs, op: (v: TensorNode, a: AvgPoolAttrs) => TensorNode): BatchResult {
  const dim = arg.dim! < arg.value.rank - 2 ? arg.dim! : 0;
  const size = arg.value.shape[arg.dim!];
  const inputShape = attrs.inputShape.slice();
  inputShape.splice(dim, 0, size);
  return { value: op(moveBatchAxis(arg, dim), { ...attrs, planes: attrs.planes * size, inputShape }), dim };
}
