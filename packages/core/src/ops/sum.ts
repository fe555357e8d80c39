// y = sum of x over `axes`; dx = dy (with the reduced axes kept as size 1) broadcast back to x's shape;
// forward ty = sum of tx over `axes`
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import { reducedShape } from '../ndarray/shape.js';

export interface ReduceAttrs {
  /** Normalised (non-negative, ascending) axes. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

export const sum: OpWithTangent<ReduceAttrs, [TensorNode]> = defineOp<ReduceAttrs, [TensorNode]>({
  name: 'sum',
  forward: (ctx, x) => reduce(x.raw, ctx.attrs.axes, ctx.attrs.keepDims, 'sum'),
  backward(ctx, dy) {
    const x = ctx.inputs[0];
    return [dy.reshape(reducedShape(x.shape, ctx.attrs.axes, true)).broadcastTo(x.shape)];
  },
  tangent: (_m, ctx, tx) => sum(tx!, ctx.attrs),
});
