// y = x repeated along broadcast axes to `shape`; dx = dy summed back to x's shape (the sweep does the sum)
// Batched (vmap): the batch first, size-1 axes after it up to the target's rank, then broadcast to [batch, ...shape].
import { defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { batchFirstPadded } from './batching.js';
import { broadcastTo as kernel } from '../ndarray/kernels/layout.js';

export const broadcastTo = defineOp<{ readonly shape: readonly number[] }, [TensorNode]>({
  name: 'broadcastTo',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.shape),
  backward: (_ctx, dy) => [dy],
  batch(ctx, x) {
    const shape = ctx.attrs.shape;
    const front = batchFirstPadded(x, shape.length);
    return { value: front.broadcastTo([front.shape[0], ...shape]), dim: 0 };
  },
});
