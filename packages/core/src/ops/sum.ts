// y = sum of x over `axes`; dx = dy (with the reduced axes kept as size 1) broadcast back to x's shape
import { defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { reducedShape } from '../ndarray/shape.js';

export interface ReduceAttrs {
  /** Normalised (non-negative, ascending) axes. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

export const sum = defineOp<ReduceAttrs>({
  name: 'sum',
  forward: (ctx, x: Tensor) => reduce(x.raw as NDArray, ctx.attrs.axes, ctx.attrs.keepDims, 'sum'),
  backward(ctx, dy: Tensor) {
    const x = ctx.inputs[0];
    return [dy.reshape(reducedShape(x.shape, ctx.attrs.axes, true)).broadcastTo(x.shape)];
  },
});
