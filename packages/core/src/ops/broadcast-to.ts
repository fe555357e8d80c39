// y = x repeated along broadcast axes to `shape`; dx = dy summed back to x's shape (the sweep does the sum)
import { defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import { broadcastTo as kernel } from '../ndarray/kernels/layout.js';
import type { NDArray } from '../ndarray/ndarray.js';

export const broadcastTo = defineOp<{ readonly shape: readonly number[] }>({
  name: 'broadcastTo',
  forward: (ctx, x: Tensor) => kernel(x.raw as NDArray, ctx.attrs.shape),
  backward: (_ctx, dy: Tensor) => [dy],
});
