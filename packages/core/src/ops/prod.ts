// y = product of x over `axes`; dx = dy * (product of the other elements of x's group), which is y / x where the
// group has no zero, the product of the non-zeros at a group's only zero, and 0 elsewhere (PyTorch's rule: exact
// with zeros, never 0/0); forward ty = sum over `axes` of tx * (product of the others)
// Differentiated again (createGraph), the rule is y / x in differentiable ops; an input with zeros is then refused
// with a GradError (the product of the others is not y / x there, and its own derivative is not written here).
import type { OpContext } from '../autodiff/context.js';
import { isBatched } from '../autodiff/batching.js';
import type { TensorNode } from '../autodiff/node.js';
import { isDifferentiated } from '../autodiff/tangents.js';
import { GradError } from '../errors.js';
import { prod as kernel, prodOfOthers } from '../ndarray/kernels/axes.js';
import { reducedShape } from '../ndarray/shape.js';
import { type ReductionOp, reduction } from './reduction.js';
import type { ReduceAttrs } from './sum.js';

/**
 * dy/dx of every element, the product of the others: y / x in differentiable ops when `differentiated` (or
 * `inOps`) and x has no zero, else the exact values as a constant (refused when they would be differentiated).
 */
function others(ctx: OpContext<ReduceAttrs, TensorNode>, differentiated: boolean, inOps = differentiated): TensorNode {
  const [x] = ctx.saved;
  // Under vmap x's values cannot be read: the rule is then y / x in ops (not exact at a zero factor).
  if (isBatched(x)) return ctx.output!.reshape(reducedShape(x.shape, ctx.attrs.axes, true)).div(x);
  const { others: exact, hasZero } = prodOfOthers(x.raw, ctx.attrs.axes);
  if (!hasZero && inOps) return ctx.output!.reshape(reducedShape(x.shape, ctx.attrs.axes, true)).div(x);
  if (!differentiated) return x.make(exact) as TensorNode;
  throw new GradError(
    `prod: a second derivative through a product with a zero factor (input ${x.label}, shape [${x.shape.join(', ')}]) is not supported; the first derivative is`,
  );
}

export const prod: ReductionOp = reduction({
  name: 'prod',
  kernel: kernel,
  backward(ctx, dy) {
    const shape = reducedShape(ctx.inputs[0].shape, ctx.attrs.axes, true);
    return [dy.reshape(shape).mul(others(ctx, isDifferentiated(dy, ctx.saved[0])))];
  },
  // y / x in ops where there is no zero, so that a jvp of a jvp differentiates it.
  tangent: (_m, ctx, tx) => tx!.mul(others(ctx, isDifferentiated(tx!, ctx.saved[0]), true)).sum(ctx.attrs.axes, ctx.attrs.keepDims),
});
