// y = log sum exp(x) over `axes`, computed as m + log sum exp(x - m) with m = max x (finite for |x| ~ 1e308);
// dx = dy * exp(x - y) = dy * softmax(x); forward ty = sum(tx * exp(x - y)) over `axes`
// Batched (vmap): the same reduction over the batched value, each sample's axes shifted past the batch axis.
import { binary, sub, add } from '../ndarray/kernels/binary.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import { exp, log, unary } from '../ndarray/kernels/unary.js';
import { NDArray } from '../ndarray/ndarray.js';
import { reducedShape } from '../ndarray/shape.js';
import { deviceKernel } from '../ndarray/device.js';
import { type ReductionOp, reduction } from './reduction.js';

export function logSumExpArray(x: NDArray, axes: readonly number[], keepDims: boolean): NDArray {
  if (x.device !== undefined) return deviceKernel(x.device, 'logSumExp').logSumExp(x, axes, keepDims);
  const m = reduce(x, axes, true, 'max');
  // An all -Infinity (or +Infinity) slice would give Inf - Inf = NaN: shift by 0 there instead.
  const md = m.data;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i])) md[i] = 0;
  const s = reduce(unary(exp, binary(sub, x, m)), axes, true, 'sum');
  const y = binary(add, unary(log, s), m);
  return keepDims ? y : new NDArray(y.data, reducedShape(x.shape, axes, false));
}

export const logSumExp: ReductionOp = reduction({
  name: 'logSumExp',
  kernel: logSumExpArray,
  backward(ctx, dy) {
    const [x] = ctx.saved;
    const kept = reducedShape(x.shape, ctx.attrs.axes, true);
    const y = ctx.output!.reshape(kept);
    return [dy.reshape(kept).mul(x.sub(y).exp())];
  },
  tangent(m, ctx, tx) {
    const x = m.input(ctx, 0);
    const y = m.output(ctx).reshape(reducedShape(x.shape, ctx.attrs.axes, true));
    return tx!.mul(x.sub(y).exp()).sum(ctx.attrs.axes, ctx.attrs.keepDims);
  },
});
