// y = log(1 + x), exact near 0 where log(1 + x) loses x's digits; dx = dy / (1 + x); forward ty = tx / (1 + x)
import { log1p as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const log1p = elementwise({
  name: 'log1p',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.div(g, m.add(x, 1)),
});
