// y = (x - m) - log sum exp(x - m) along `axis`, m the slice's maximum (exact for logits of any magnitude);
// dx = dy - softmax(x) * sum(dy) = dy - exp(y) * sum(dy) along the axis; forward ty = tx - sum(exp(y) * tx) along the axis.
// Batched (vmap): the same op on the batched value, along the same axis of each sample.
// Fused for a measured reason (STYLE.md): the composite x - logSumExp(x) rounds logSumExp to the float32 grid
// first ([1e7, 1e7] gave [-1, -1], not [-ln 2, -ln 2]). Its test checks it against that composite, the oracle.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { softmaxArray } from '../ndarray/kernels/softmax.js';
import { physicalAxis } from './batching.js';

export const logSoftmax: OpWithRules<{ readonly axis: number }, [TensorNode]> = defineOp<{ readonly axis: number }, [TensorNode]>({
  name: 'logSoftmax',
  forward(ctx, x) {
    ctx.saveOutput();
    return softmaxArray(x.raw, ctx.attrs.axis, true);
  },
  backward(ctx, dy) {
    const y = ctx.output!;
    return [dy.sub(y.exp().mul(dy.sum(ctx.attrs.axis, true)))];
  },
  tangent(m, ctx, tx) {
    const y = m.output(ctx);
    return tx!.sub(y.exp().mul(tx!).sum(ctx.attrs.axis, true));
  },
  batch(ctx, x) {
    ctx.saveOutput();
    return { value: logSoftmax(x.value, { axis: physicalAxis(ctx.attrs.axis, x.dim!) }), dim: x.dim! };
  },
});
