// y = x with axes permuted by `perm`; dx = dy permuted by the inverse permutation; forward ty = tx permuted by `perm`
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { transpose as kernel } from '../ndarray/kernels/layout.js';

export const transpose: OpWithTangent<{ readonly perm: readonly number[] }, [TensorNode]> = defineOp<
  { readonly perm: readonly number[] },
  [TensorNode]
>({
  name: 'transpose',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.perm),
  backward(ctx, dy) {
    const inverse = new Array<number>(ctx.attrs.perm.length);
    ctx.attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [dy.transpose(inverse)];
  },
  tangent: (_m, ctx, tx) => transpose(tx!, ctx.attrs),
});
