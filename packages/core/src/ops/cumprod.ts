// y_i = product of x_j for j <= i along `axis`; dx_i = sum over k >= i of dy_k * (product of x_j, j <= k, j != i),
// computed exactly with zeros and without dividing (PyTorch's rule gives the same); forward ty_k = x_k ty_(k-1) +
// tx_k y_(k-1) (the product rule). Differentiated again (createGraph, or a jvp of a jvp), the rules are
// reverse-cumsum(dy * y) / x and y * cumsum(tx / x) in differentiable ops; an input with zeros is then refused with
// a GradError, as prod's. Batched (vmap): the running product along the sample's axis shifted past the batch axis;
// a batched value cannot be read, so under vmap the rules take the differentiable forms: a batched x with a zero
// factor gives NaN there, as prod's does; an unbatched x with a zero under a batched gradient (jacrev) is refused.
import { isBatched } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { isDifferentiated } from '../autodiff/tangents.js';
import { GradError, formatShape } from '../errors.js';
import { cumprod as kernel, cumprodGrad, cumprodTangent } from '../ndarray/kernels/axes.js';
import { physicalAxis } from './batching.js';
import { cumsum } from './cumsum.js';

export interface CumprodAttrs {
  /** A normalised (non-negative) axis. */
  readonly axis: number;
}

/** Whether the fused recurrences can read x and the incoming gradient or tangent (not batched by a vmap). */
const readable = (x: TensorNode, g: TensorNode): boolean => !isBatched(x) && !isBatched(g);

/** Refuses a second derivative through a zero factor (see the header). */
function checkNoZero(ctx: OpContext<CumprodAttrs, TensorNode>): void {
  const [x] = ctx.saved;
  if (isBatched(x)) return;
  if (x.raw.data.includes(0))
    throw new GradError(
      `cumprod: a second derivative (or a derivative under vmap) through a product with a zero factor (input ${x.label}, shape ${formatShape(x.shape)}) is not supported; the first derivative is`,
    );
}

export const cumprod: OpWithRules<CumprodAttrs, [TensorNode]> = defineOp({
  name: 'cumprod',
  forward(ctx, x) {
    ctx.saveInputs();
    ctx.saveOutput();
    return kernel(x.raw, ctx.attrs.axis);
  },
  backward(ctx, dy) {
    const [x] = ctx.saved;
    const { axis } = ctx.attrs;
    if (readable(x, dy) && !isDifferentiated(dy, x)) return [x.make(cumprodGrad(x.raw, dy.raw, axis))];
    checkNoZero(ctx);
    return [cumsum(dy.mul(ctx.output!), { axis, reverse: true }).div(x)];
  },
  tangent(_m, ctx, tx) {
    const [x] = ctx.saved;
    const { axis } = ctx.attrs;
    if (readable(x, tx!) && !isDifferentiated(tx!, x)) return x.make(cumprodTangent(x.raw, ctx.output!.raw, tx!.raw, axis)) as TensorNode;
    checkNoZero(ctx);
    return ctx.output!.mul(cumsum(tx!.div(x), { axis, reverse: false }));
  },
  batch(ctx, x) {
    ctx.saveInputs();
    ctx.saveOutput();
    return { value: cumprod(x.value, { axis: physicalAxis(ctx.attrs.axis, x.dim!) }), dim: x.dim! };
  },
});
