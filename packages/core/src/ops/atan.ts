// y = atan x; dx = dy / (1 + x^2); forward ty = tx / (1 + x^2)
import { atan as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const atan = elementwise({
  name: 'atan',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    const x = m.input(ctx, 0);
    m.inputGrad(0, m.div(dy, m.add(m.mul(x, x), 1)));
  },
  tangent(m, ctx, tx) {
    const x = m.input(ctx, 0);
    return m.div(tx, m.add(m.mul(x, x), 1));
  },
});
