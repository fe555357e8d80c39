// y = sqrt(sum of x^2 over `axes`) (the 2-norm; p = 1 and p = Infinity are composites, see functions/statistics.ts);
// dx = dy * x / y, and 0 where y = 0: the zero vector gets the subgradient 0, as in PyTorch, not 0/0;
// forward ty = sum(tx * x) / y over `axes`, 0 where y = 0
import type { OpContext } from '../autodiff/context.js';
import { maskNode } from '../autodiff/node-math.js';
import type { TensorNode } from '../autodiff/node.js';
import { greater, mul } from '../ndarray/kernels/binary.js';
import { binary } from '../ndarray/kernels/binary.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import { sqrt, unary } from '../ndarray/kernels/unary.js';
import { reducedShape } from '../ndarray/shape.js';
import { type ReductionOp, reduction } from './reduction.js';
import type { ReduceAttrs } from './sum.js';
import { where } from './where.js';

/** 1 / y where y > 0, else 0, with y kept with size-1 axes: differentiable, and finite (1 / 1) at the zero vector. */
function inverseNorm(ctx: OpContext<ReduceAttrs, TensorNode>): TensorNode {
  const y = ctx.output!.reshape(reducedShape(ctx.inputs[0].shape, ctx.attrs.axes, true));
  const positive = maskNode(greater, y, 0);
  return positive.div(where(positive, y, 1));
}

export const norm: ReductionOp = reduction({
  name: 'norm',
  kernel: (x, axes, keepDims) => unary(sqrt, reduce(binary(mul, x, x), axes, keepDims, 'sum')),
  backward(ctx, dy) {
    const [x] = ctx.saved;
    return [
      dy
        .reshape(reducedShape(x.shape, ctx.attrs.axes, true))
        .mul(inverseNorm(ctx))
        .mul(x),
    ];
  },
  tangent(_m, ctx, tx) {
    const [x] = ctx.saved;
    return tx!.mul(x).sum(ctx.attrs.axes, true).mul(inverseNorm(ctx)).reshape(ctx.output!.shape);
  },
});
