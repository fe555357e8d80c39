// y = take(x, indices, axis) (tf.gather / np.take); dx = scatterAdd(dy, indices): rows picked twice get both gradients
import { InputGrads, OpFunction, defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import { gather as gatherKernel, scatterAdd as scatterKernel } from '../ndarray/kernels/layout.js';
import type { NDArray } from '../ndarray/ndarray.js';

export const gather: OpFunction<{ readonly axis: number }> = defineOp<{ readonly axis: number }>({
  name: 'gather',
  forward: (ctx, x: Tensor, indices: Tensor) => gatherKernel(x.raw as NDArray, indices.raw as NDArray, ctx.attrs.axis),
  backward(ctx, dy: Tensor): InputGrads {
    const [x, indices] = ctx.inputs;
    return [scatterAdd(dy, indices, { axis: ctx.attrs.axis, size: x.shape[ctx.attrs.axis] }), null];
  },
});

/** Sums slices of g into zeros at the given indices along `axis`: the adjoint of gather (and its gradient is gather). */
export const scatterAdd: OpFunction<{ readonly axis: number; readonly size: number }> = defineOp<{
  readonly axis: number;
  readonly size: number;
}>({
  name: 'scatterAdd',
  forward: (ctx, g: Tensor, indices: Tensor) => scatterKernel(g.raw as NDArray, indices.raw as NDArray, ctx.attrs.axis, ctx.attrs.size),
  backward: (ctx, dy: Tensor): InputGrads => [gather(dy, ctx.inputs[1], { axis: ctx.attrs.axis }), null],
});
