// y = e^x; dx = dy * y; forward ty = tx * y
import { exp as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const exp = elementwise({
  name: 'exp',
  kernel,
  saves: 'output',
  timesDerivative: (m, g, y) => m.mul(g, y),
});
