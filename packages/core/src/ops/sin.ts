// y = sin x; dx = dy * cos x; forward ty = tx * cos x
import { sin as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const sin = elementwise({
  name: 'sin',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.cos(x)),
});
