// y = atan x; dx = dy / (1 + x^2); forward ty = tx / (1 + x^2)
import { atan as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const atan = elementwise({
  name: 'atan',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.div(g, m.add(m.mul(x, x), 1)),
});
