// y = sum of x over `axes`; dx = dy (with the reduced axes kept as size 1) broadcast back to x's shape;
// forward ty = sum of tx over `axes`
// Batched (vmap): the same sum over the batched value, each sample's axes shifted past the batch axis.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import { reducedShape } from '../ndarray/shape.js';
import { batchedReduction } from './reduction.js';

export interface ReduceAttrs {
  /** Normalised (non-negative, ascending) axes. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

export const sum: OpWithRules<ReduceAttrs, [TensorNode]> = defineOp({
  name: 'sum',
  forward: (ctx, x) => reduce(x.raw, ctx.attrs.axes, ctx.attrs.keepDims, 'sum'),
  backward(ctx, dy) {
    const x = ctx.inputs[0];
    return [dy.reshape(reducedShape(x.shape, ctx.attrs.axes, true)).broadcastTo(x.shape)];
  },
  tangent: (_m, ctx, tx) => sum(tx!, ctx.attrs),
  batch: (ctx, x) => batchedReduction(sum, ctx.attrs, x),
});
