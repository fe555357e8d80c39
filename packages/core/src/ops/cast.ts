// y = x converted to `dtype`; dx = dy converted back (the sweep casts gradients to each input's dtype)
import { defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import type { DType } from '../ndarray/dtype.js';
import { cast as kernel } from '../ndarray/kernels/layout.js';
import type { NDArray } from '../ndarray/ndarray.js';

export const cast = defineOp<{ readonly dtype: DType }>({
  name: 'cast',
  forward: (ctx, x: Tensor) => kernel(x.raw as NDArray, ctx.attrs.dtype),
  backward: (_ctx, dy: Tensor) => [dy],
});
