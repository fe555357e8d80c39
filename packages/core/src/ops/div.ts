// y = a / b; da = dy / b, db = -dy * a / b^2; forward ty = ta / b - tb * a / b^2
// A primitive, not a * b^-1: a / b is rounded once, a * (1 / b) twice, and the composite would take two passes.
import { div as kernel } from '../ndarray/kernels/binary.js';
import { addTangents } from '../autodiff/grad-math.js';
import { elementwise } from './elementwise.js';

export const div = elementwise({
  name: 'div',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    const a = m.input(ctx, 0);
    const b = m.input(ctx, 1);
    if (ctx.needsGrad(0)) m.inputGrad(0, m.div(dy, b));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.neg(m.div(m.mul(dy, a), m.mul(b, b))));
  },
  tangent(m, ctx, ta, tb) {
    const a = m.input(ctx, 0);
    const b = m.input(ctx, 1);
    return addTangents(m, ta && m.div(ta, b), tb && m.neg(m.div(m.mul(tb, a), m.mul(b, b))));
  },
});
