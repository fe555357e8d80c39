// y = exp(x - m) / sum exp(x - m) along `axis`, m the slice's maximum (nothing overflows);
// dx = y * (dy - sum(dy * y)) along the axis; forward ty = y * (tx - sum(tx * y)) along the axis (J is symmetric).
// Batched (vmap): the same op on the batched value, along the same axis of each sample.
// Fused for a measured reason (STYLE.md): the composite exp(x - logSumExp(x)) lost its normalisation for large
// float32 logits. Its test checks it against that composite, which stays the oracle.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { softmaxArray } from '../ndarray/kernels/softmax.js';
import { physicalAxis } from './batching.js';

export const softmax: OpWithRules<{ readonly axis: number }, [TensorNode]> = defineOp<{ readonly axis: number }, [TensorNode]>({
  name: 'softmax',
  forward(ctx, x) {
    ctx.saveOutput();
    return softmaxArray(x.raw, ctx.attrs.axis, false);
  },
  backward(ctx, dy) {
    const y = ctx.output!;
    return [y.mul(dy.sub(dy.mul(y).sum(ctx.attrs.axis, true)))];
  },
  tangent(m, ctx, tx) {
    const y = m.output(ctx);
    return y.mul(tx!.sub(tx!.mul(y).sum(ctx.attrs.axis, true)));
  },
  batch(ctx, x) {
    ctx.saveOutput();
    return { value: softmax(x.value, { axis: physicalAxis(ctx.attrs.axis, x.dim!) }), dim: x.dim! };
  },
});
