// y = x repeated along broadcast axes to `shape`; dx = dy summed back to x's shape (the sweep does the sum);
// forward ty = tx repeated the same way
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { broadcastTo as kernel } from '../ndarray/kernels/layout.js';

export const broadcastTo: OpWithTangent<{ readonly shape: readonly number[] }, [TensorNode]> = defineOp<
  { readonly shape: readonly number[] },
  [TensorNode]
>({
  name: 'broadcastTo',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.shape),
  backward: (_ctx, dy) => [dy],
  tangent: (_m, ctx, tx) => broadcastTo(tx!, ctx.attrs),
});
