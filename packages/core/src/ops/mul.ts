// y = a * b; da = dy * b, db = dy * a; forward ty = ta * b + a * tb
// The one place the derivative of multiplication is written: the tape and MulLayer both use it.
import { mul as kernel } from '../ndarray/kernels/binary.js';
import { addTangents } from '../autodiff/grad-math.js';
import { elementwise } from './elementwise.js';

export const mul = elementwise({
  name: 'mul',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    if (ctx.needsGrad(0)) m.inputGrad(0, m.mulFor(ctx, 0, dy, m.input(ctx, 1)));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.mulFor(ctx, 1, dy, m.input(ctx, 0)));
  },
  tangent: (m, ctx, ta, tb) => addTangents(m, ta && m.mul(ta, m.input(ctx, 1)), tb && m.mul(m.input(ctx, 0), tb)),
});
