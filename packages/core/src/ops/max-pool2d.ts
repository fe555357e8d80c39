// y[n, c, oh, ow] = max over the window of x (padding counts as -Infinity), the element chosen being the first
// maximum in row-major window order (PyTorch's rule; a NaN wins). With a = that element's flat index in x:
//   y = gather(flat x, a), so dx = scatterAdd(flat dy, a): each window's gradient goes to its maximum alone, and an
//   element that is the maximum of several overlapping windows gets the sum of theirs.
// Forward mode: ty = gather(flat tx, a).
// Batched (vmap): the batch axis first, as more planes; the value is gather(flat x, a) over the whole batch (so a
// gradient outside the vmap flows), and each sample's a, an index into that sample, is saved for the rules above.
import { type BatchedNode, isBatched } from '../autodiff/batching.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { isGradEnabled } from '../autodiff/mode.js';
import type { TensorNode } from '../autodiff/node.js';
import { NDArray } from '../ndarray/ndarray.js';
import { type PoolGeometry, maxPool2dBackward, maxPool2dForward } from '../ndarray/kernels/pool.js';
import { moveBatchAxis } from './batching.js';
import { gather, scatterAdd } from './gather.js';

export const maxPool2d: OpWithRules<PoolGeometry, [TensorNode]> = defineOp({
  name: 'maxPool2d',
  forward(ctx, x) {
    const { values, argmax } = maxPool2dForward(x.raw, ctx.attrs, [...x.shape.slice(0, -2), ctx.attrs.outH, ctx.attrs.outW]);
    ctx.save(x.make(argmax));
    return values;
  },
  backward(ctx, dy) {
    const [argmax] = ctx.saved;
    const x = ctx.inputs[0];
    // Unrecorded on the CPU, the scatter-add is one loop into dx (no flattening copies); recorded, the ops.
    if (!isGradEnabled() && !isBatched(dy) && !isBatched(argmax) && dy.raw.device === undefined)
      return [x.make(maxPool2dBackward(dy.raw, argmax.raw, x.shape))];
    return [scatterAdd(dy.reshape([dy.size]), argmax.reshape([argmax.size]), { axis: 0, size: x.size }).reshape(x.shape)];
  },
  tangent(_m, ctx, tx) {
    const [argmax] = ctx.saved;
    return gather(tx!.reshape([tx!.size]), argmax.reshape([argmax.size]), { axis: 0 }).reshape(argmax.shape);
  },
  batch(ctx, x) {
    const front = moveBatchAxis(x, 0);
    // Inside another vmap the batch's values cannot be read (the argmax needs them): that case loops.
    if (isBatched(front)) return null;
    const size = front.shape[0];
    const outShape = [...front.shape.slice(0, -2), ctx.attrs.outH, ctx.attrs.outW];
    const { argmax } = maxPool2dForward(front.raw, { ...ctx.attrs, planes: ctx.attrs.planes * size }, outShape);
    const perSample = front.size / Math.max(size, 1);
    const own = Int32Array.from(argmax.data, (a) => a % perSample);
    ctx.save((ctx.inputs[0] as unknown as BatchedNode)._wrap(front.make(new NDArray(own, outShape)) as TensorNode, 0));
    const flat = gather(front.reshape([front.size]), front.make(new NDArray(argmax.data, [argmax.size])) as TensorNode, { axis: 0 });
    return { value: flat.reshape(outShape), dim: 0 };
  },
});
