// y = max (or min) of x over `axes`; dx = dy * [x = y] / (number of elements equal to y)
// Ties share the gradient evenly (as JAX and PyTorch's amax), so the rule is symmetric in tied elements.
// Forward, the same shares: ty = sum(tx * [x = y] / count) over `axes`.
// Batched (vmap): the same reduction over the batched value, each sample's axes shifted past the batch axis.
import type { OpContext } from '../autodiff/context.js';
import type { TensorNode } from '../autodiff/node.js';
import { equal } from '../ndarray/kernels/binary.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import { reducedShape } from '../ndarray/shape.js';
import { maskNode } from '../autodiff/node-math.js';
import type { ReduceAttrs } from './sum.js';
import { type ReductionOp, reduction } from './reduction.js';

function extremum(kind: 'max' | 'min'): ReductionOp {
  return reduction({
    name: kind,
    kernel: (x, axes, keepDims) => reduce(x, axes, keepDims, kind),
    backward: (ctx, dy) => [dy.reshape(reducedShape(ctx.inputs[0].shape, ctx.attrs.axes, true)).mul(shares(ctx))],
    tangent: (_m, ctx, tx) => tx!.mul(shares(ctx)).sum(ctx.attrs.axes, ctx.attrs.keepDims),
  });
}

/** Each element's share of the extremum: [x = y] / (number of elements equal to y), y kept with size-1 axes. */
function shares(ctx: OpContext<ReduceAttrs, TensorNode>): TensorNode {
  const [x] = ctx.saved;
  const y = ctx.output!.reshape(reducedShape(x.shape, ctx.attrs.axes, true));
  const hit = maskNode(equal, x, y);
  return hit.div(hit.sum(ctx.attrs.axes, true));
}

export const max = extremum('max');
export const min = extremum('min');
