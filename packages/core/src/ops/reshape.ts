// y = x viewed with a new shape (same elements, row-major); dx = dy reshaped to x's shape
import { defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import { NDArray } from '../ndarray/ndarray.js';

export const reshape = defineOp<{ readonly shape: readonly number[] }>({
  name: 'reshape',
  forward: (ctx, x: Tensor) => new NDArray((x.raw as NDArray).data.slice(), ctx.attrs.shape.slice()),
  backward: (ctx, dy: Tensor) => [dy.reshape(ctx.inputs[0].shape)],
});
