// y = x viewed with a new shape (same elements, row-major); dx = dy reshaped to x's shape; forward ty = tx reshaped
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { NDArray } from '../ndarray/ndarray.js';

export const reshape: OpWithTangent<{ readonly shape: readonly number[] }, [TensorNode]> = defineOp<
  { readonly shape: readonly number[] },
  [TensorNode]
>({
  name: 'reshape',
  forward: (ctx, x) => new NDArray(x.data.slice(), ctx.attrs.shape.slice()),
  backward: (ctx, dy) => [dy.reshape(ctx.inputs[0].shape)],
  tangent: (_m, ctx, tx) => reshape(tx!, ctx.attrs),
});
