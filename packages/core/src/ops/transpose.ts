// y = x with axes permuted by `perm`; dx = dy permuted by the inverse permutation; forward ty = tx permuted by `perm`
// Batched (vmap): one transpose of the batched value, the batch axis first and each sample's axes permuted after it.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { transpose as kernel } from '../ndarray/kernels/layout.js';
import { physicalAxis } from './batching.js';

export const transpose: OpWithRules<{ readonly perm: readonly number[] }, [TensorNode]> = defineOp({
  name: 'transpose',
  forward: (ctx, x) => kernel(x.raw, ctx.attrs.perm),
  backward(ctx, dy) {
    const inverse = new Array<number>(ctx.attrs.perm.length);
    ctx.attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [dy.transpose(inverse)];
  },
  tangent: (_m, ctx, tx) => transpose(tx!, ctx.attrs),
  batch(ctx, x) {
    const dim = x.dim!;
    return { value: x.value.transpose([dim, ...ctx.attrs.perm.map((p) => physicalAxis(p, dim))]), dim: 0 };
  },
});
