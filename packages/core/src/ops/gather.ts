// y = take(x, indices, axis) (tf.gather / np.take); dx = scatterAdd(dy, indices): rows picked twice get both gradients;
// forward ty = take(tx, indices, axis) (integer indices are never perturbed)
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { gather as gatherKernel, scatterAdd as scatterKernel } from '../ndarray/kernels/layout.js';

export const gather: OpWithTangent<{ readonly axis: number }, [TensorNode, TensorNode]> = defineOp<
  { readonly axis: number },
  [TensorNode, TensorNode]
>({
  name: 'gather',
  forward: (ctx, x, indices) => gatherKernel(x.raw, indices.raw, ctx.attrs.axis),
  backward(ctx, dy) {
    const [x, indices] = ctx.inputs;
    return [scatterAdd(dy, indices, { axis: ctx.attrs.axis, size: x.shape[ctx.attrs.axis] }), null];
  },
  tangent: (_m, ctx, tx) => tx && gather(tx, ctx.inputs[1], ctx.attrs),
});

/**
 * Sums slices of g into zeros at the given indices along `axis`: the adjoint of gather (its gradient is gather, and
 * being linear, its tangent is itself applied to the tangent).
 */
export const scatterAdd: OpWithTangent<{ readonly axis: number; readonly size: number }, [TensorNode, TensorNode]> = defineOp<
  { readonly axis: number; readonly size: number },
  [TensorNode, TensorNode]
>({
  name: 'scatterAdd',
  forward: (ctx, g, indices) => scatterKernel(g.raw, indices.raw, ctx.attrs.axis, ctx.attrs.size),
  backward: (ctx, dy) => [gather(dy, ctx.inputs[1], { axis: ctx.attrs.axis }), null],
  tangent: (_m, ctx, tg) => tg && scatterAdd(tg, ctx.inputs[1], ctx.attrs),
});
