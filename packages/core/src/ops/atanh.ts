// y = atanh x = log((1 + x) / (1 - x)) / 2 on (-1, 1); dx = dy / (1 - x^2); forward ty = tx / (1 - x^2)
// 1 - x^2 is taken as (1 - x)(1 + x), which keeps its digits as |x| nears 1.
import { atanh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const atanh = elementwise({
  name: 'atanh',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    const x = m.input(ctx, 0);
    m.inputGrad(0, m.div(dy, m.mul(m.neg(m.sub(x, 1)), m.add(x, 1))));
  },
  tangent(m, ctx, tx) {
    const x = m.input(ctx, 0);
    return m.div(tx, m.mul(m.neg(m.sub(x, 1)), m.add(x, 1)));
  },
});
