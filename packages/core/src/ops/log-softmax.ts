// y = (x - m) - log sum exp(x - m) along `axis`, m the slice's maximum (exact for logits of any magnitude);
// dx = dy - softmax(x) * sum(dy) = dy - exp(y) * sum(dy) along the axis; forward ty = tx - sum(exp(y) * tx) along the axis.
// Batched (vmap): the same op on the batched value, along the same axis of each sample.
// Fused for a measured reason (STYLE.md): the composite x - logSumExp(x) rounds logSumExp to the float32 grid
// first ([1e7, 1e7] gave [-1, -1], not [-ln 2, -ln 2]). Its test checks it against that composite, the oracle.
import { softmaxOp } from './softmax.js';

export const logSoftmax = softmaxOp({
  name: 'logSoftmax',
  log: true,
  backward: (y, dy, axis) => dy.sub(y.exp().mul(dy.sum(axis, true))),
  tangent: (y, tx, axis) => tx.sub(y.exp().mul(tx).sum(axis, true)),
});
