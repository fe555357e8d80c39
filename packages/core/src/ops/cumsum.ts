// y_i = sum of x_j for j <= i along `axis` (j >= i when `reverse`); dx = the running sum of dy the other way
// (dx_j = sum of dy_i for i >= j); forward ty = the running sum of tx, the same way
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { physicalAxis } from './batching.js';
import type { TensorNode } from '../autodiff/node.js';
import { cumsum as kernel } from '../ndarray/kernels/axes.js';

export interface CumsumAttrs {
  /** A normalised (non-negative) axis. */
  readonly axis: number;
  readonly reverse: boolean;
}

export const cumsum: OpWithRules<CumsumAttrs, [TensorNode]> = defineOp({
  name: 'cumsum',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.axis, ctx.attrs.reverse),
  backward: (ctx, dy) => [cumsum(dy, { axis: ctx.attrs.axis, reverse: !ctx.attrs.reverse })],
  tangent: (_m, ctx, tx) => cumsum(tx!, ctx.attrs),
  // Batched (vmap): the same running sum along the sample's axis, shifted past the batch axis.
  batch: (ctx, x) => ({ value: cumsum(x.value, { ...ctx.attrs, axis: physicalAxis(ctx.attrs.axis, x.dim!) }), dim: x.dim! }),
});
