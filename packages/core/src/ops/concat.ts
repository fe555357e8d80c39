// y = [x_1 | x_2 | ...] along `axis`; dx_i = the slice of dy that x_i occupies; forward ty = [t_1 | t_2 | ...] (zeros
// for an input that is not perturbed)
// Batched (vmap): every operand with the batch first (one the same for every sample repeated along it), joined along axis + 1.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { promote } from '../ndarray/dtype.js';
import { concat as kernel } from '../ndarray/kernels/layout.js';
import { slice } from './slice.js';
import { batchFirst, batchSize } from './batching.js';

export const concat: OpWithRules<{ readonly axis: number }, TensorNode[]> = defineOp({
  name: 'concat',
  forward(ctx, ...xs) {
    const dtype = xs.map((x) => x.dtype).reduce(promote);
    return kernel(
      xs.map((x) => x.raw),
      ctx.attrs.axis,
      dtype,
    );
  },
  backward(ctx, dy) {
    const axis = ctx.attrs.axis;
    let offset = 0;
    return ctx.inputs.map((x, i) => {
      const begin = dy.shape.map((_, d) => (d === axis ? offset : 0));
      offset += x.shape[axis];
      return ctx.needsInputGrad[i] ? slice(dy, { begin, size: x.shape }) : null;
    });
  },
  tangent: (_m, ctx, ...ts) => concat(...ts.map((t, i) => t ?? ctx.inputs[i].zerosLike()), ctx.attrs),
  batch(ctx, ...xs) {
    const size = batchSize(xs);
    return { value: concat(...xs.map((x) => batchFirst(x, size)), { axis: ctx.attrs.axis + 1 }), dim: 0 };
  },
});
