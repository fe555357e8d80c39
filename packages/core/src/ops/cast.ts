// y = x converted to `dtype`; dx = dy converted back (the sweep casts gradients to each input's dtype); forward ty = tx
// converted to `dtype` (forward mode casts tangents to each output's dtype)
// Batched (vmap): elementwise, so the batched value converted, its batch axis where it was.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import type { DType } from '../ndarray/dtype.js';
import { cast as kernel } from '../ndarray/kernels/layout.js';

export const cast: OpWithRules<{ readonly dtype: DType }, [TensorNode]> = defineOp({
  name: 'cast',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.dtype),
  backward: (_ctx, dy) => [dy],
  tangent: (_m, _ctx, tx) => tx,
  batch: (ctx, x) => ({ value: cast(x.value, ctx.attrs), dim: x.dim! }),
});
