// y = x with its elements in reverse order along each of `axes`; dx = dy flipped the same way (flip is its own
// inverse and its own transpose); forward ty = tx flipped
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { physicalAxis } from './batching.js';
import type { TensorNode } from '../autodiff/node.js';
import { flip as kernel } from '../ndarray/kernels/axes.js';

export interface FlipAttrs {
  /** Normalised (non-negative, ascending) axes. */
  readonly axes: readonly number[];
}

export const flip: OpWithRules<FlipAttrs, [TensorNode]> = defineOp({
  name: 'flip',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.axes),
  backward: (ctx, dy) => [flip(dy, ctx.attrs)],
  tangent: (_m, ctx, tx) => flip(tx!, ctx.attrs),
  // Batched (vmap): the sample's axes, shifted past the batch axis (still ascending).
  batch: (ctx, x) => ({ value: flip(x.value, { axes: ctx.attrs.axes.map((a) => physicalAxis(a, x.dim!)) }), dim: x.dim! }),
});
