// y[n, c, oh, ow] = max over the window of x (padding counts as -Infinity), the element chosen being the first
// maximum in row-major window order (PyTorch's rule; a NaN wins). With a = that element's flat index in x:
//   y = gather(flat x, a), so dx = scatterAdd(flat dy, a): each window's gradient goes to its maximum alone, and an
//   element that is the maximum of several overlapping windows gets the sum of theirs.
// Forward mode: ty = gather(flat tx, a).
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { type PoolGeometry, maxPool2dForward } from '../ndarray/kernels/pool.js';
import { gather, scatterAdd } from './gather.js';

export const maxPool2d: OpWithTangent<PoolGeometry, [TensorNode]> = defineOp<PoolGeometry, [TensorNode]>({
  name: 'maxPool2d',
  forward(ctx, x) {
    const { values, argmax } = maxPool2dForward(x.raw, ctx.attrs, [...x.shape.slice(0, -2), ctx.attrs.outH, ctx.attrs.outW]);
    ctx.save(x.make(argmax));
    return values;
  },
  backward(ctx, dy) {
    const [argmax] = ctx.saved;
    const x = ctx.inputs[0];
    return [scatterAdd(dy.reshape([dy.size]), argmax.reshape([argmax.size]), { axis: 0, size: x.size }).reshape(x.shape)];
  },
  tangent(_m, ctx, tx) {
    const [argmax] = ctx.saved;
    return gather(tx!.reshape([tx!.size]), argmax.reshape([argmax.size]), { axis: 0 }).reshape(argmax.shape);
  },
});
