// y = x with axes permuted by `perm`; dx = dy permuted by the inverse permutation
import { defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import { transpose as kernel } from '../ndarray/kernels/layout.js';
import type { NDArray } from '../ndarray/ndarray.js';

export const transpose = defineOp<{ readonly perm: readonly number[] }>({
  name: 'transpose',
  forward: (ctx, x: Tensor) => kernel(x.raw as NDArray, ctx.attrs.perm),
  backward(ctx, dy: Tensor) {
    const inverse = new Array<number>(ctx.attrs.perm.length);
    ctx.attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [dy.transpose(inverse)];
  },
});
