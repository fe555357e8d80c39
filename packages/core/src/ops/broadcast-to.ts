// y = x repeated along broadcast axes to `shape`; dx = dy summed back to x's shape (the sweep does the sum)
import { defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { broadcastTo as kernel } from '../ndarray/kernels/layout.js';

export const broadcastTo = defineOp<{ readonly shape: readonly number[] }, [TensorNode]>({
  name: 'broadcastTo',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.shape),
  backward: (_ctx, dy) => [dy],
});
