// y = x viewed with a new shape (same elements, row-major); dx = dy reshaped to x's shape; forward ty = tx reshaped
// Batched (vmap): the batch first (row-major order keeps each sample's elements together), then [batch, ...shape].
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { copyArray } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { moveBatchAxis } from './batching.js';

export const reshape: OpWithRules<{ readonly shape: readonly number[] }, [TensorNode]> = defineOp({
  name: 'reshape',
  forward: (ctx, x) =>
    x.raw.device ? x.raw.device.reshape(x.raw, ctx.attrs.shape.slice()) : new NDArray(copyArray(x.data), ctx.attrs.shape.slice()),
  backward: (ctx, dy) => [dy.reshape(ctx.inputs[0].shape)],
  tangent: (_m, ctx, tx) => reshape(tx!, ctx.attrs),
  batch(ctx, x) {
    const front = moveBatchAxis(x, 0);
    return { value: front.reshape([front.shape[0], ...ctx.attrs.shape]), dim: 0 };
  },
});
