// y = atan2(a, b), the angle of the point (b, a); da = dy * b / (a^2 + b^2), db = -dy * a / (a^2 + b^2);
// forward ty = (ta * b - tb * a) / (a^2 + b^2). At (0, 0) both are 0/0 = NaN, as in PyTorch: no direction is preferred.
import type { OpContext } from '../autodiff/context.js';
import { type RuleMath, addTangents } from '../autodiff/grad-math.js';
import { atan2 as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

/** [b / (a^2 + b^2), -a / (a^2 + b^2)]: atan2's partial derivatives. */
function partials<V>(m: RuleMath<V>, ctx: OpContext): [V, V] {
  const a = m.input(ctx, 0);
  const b = m.input(ctx, 1);
  const r = m.add(m.mul(a, a), m.mul(b, b));
  return [m.div(b, r), m.neg(m.div(a, r))];
}

export const atan2 = elementwise({
  name: 'atan2',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    const [da, db] = partials(m, ctx);
    if (ctx.needsGrad(0)) m.inputGrad(0, m.mul(dy, da));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.mul(dy, db));
  },
  tangent(m, ctx, ta, tb) {
    const [da, db] = partials(m, ctx);
    return addTangents(m, ta && m.mul(ta, da), tb && m.mul(tb, db));
  },
});
