// y = x with its elements in reverse order along each of `axes`; dx = dy flipped the same way (flip is its own
// inverse and its own transpose); forward ty = tx flipped
import { OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { flip as kernel } from '../ndarray/kernels/axes.js';

export interface FlipAttrs {
  /** Normalised (non-negative, ascending) axes. */
  readonly axes: readonly number[];
}

export const flip: OpWithTangent<FlipAttrs, [TensorNode]> = defineOp<FlipAttrs, [TensorNode]>({
  name: 'flip',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.axes),
  backward: (ctx, dy) => [flip(dy, ctx.attrs)],
  tangent: (_m, ctx, tx) => flip(tx!, ctx.attrs),
});
