// y = atanh x = log((1 + x) / (1 - x)) / 2 on (-1, 1); dx = dy / (1 - x^2); forward ty = tx / (1 - x^2)
// 1 - x^2 is taken as (1 - x)(1 + x), which keeps its digits as |x| nears 1.
import { atanh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const atanh = elementwise({
  name: 'atanh',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.div(g, m.mul(m.neg(m.sub(x, 1)), m.add(x, 1))),
});
