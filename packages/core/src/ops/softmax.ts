// y = exp(x - m) / sum exp(x - m) along `axis`, m the slice's maximum (nothing overflows);
// dx = y * (dy - sum(dy * y)) along the axis; forward ty = y * (tx - sum(tx * y)) along the axis (J is symmetric).
// Fused for a measured reason (STYLE.md): the composite exp(x - logSumExp(x)) lost its normalisation for large
// float32 logits. Its test checks it against that composite, which stays the oracle.
import { defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { softmaxArray } from '../ndarray/kernels/softmax.js';

export const softmax = defineOp<{ readonly axis: number }, [TensorNode]>({
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
});
