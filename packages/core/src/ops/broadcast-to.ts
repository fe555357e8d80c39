// y = x repeated along broadcast axes to `shape`; dx = dy summed back to x's shape (the sweep does the sum);
// forward ty = tx repeated the same way
// Batched (vmap): the batch first, size-1 axes after it up to the target's rank, then broadcast to [batch, ...shape].
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { broadcastTo as kernel } from '../ndarray/kernels/layout.js';
import { batchFirstPadded } from './batching.js';

export const broadcastTo: OpWithRules<{ readonly shape: readonly number[] }, [TensorNode]> = defineOp({
  name: 'broadcastTo',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.shape),
  backward: (_ctx, dy) => [dy],
  tangent: (_m, ctx, tx) => broadcastTo(tx!, ctx.attrs),
  batch(ctx, x) {
    const shape = ctx.attrs.shape;
    const front = batchFirstPadded(x, shape.length);
    return { value: front.broadcastTo([front.shape[0], ...shape]), dim: 0 };
  },
});
