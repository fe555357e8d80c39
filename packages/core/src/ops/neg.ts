// y = -x; dx = -dy; forward ty = -tx
import { neg as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const neg = elementwise({
  name: 'neg',
  kernel,
  saves: 'none',
  timesDerivative: (m, g) => m.neg(g),
});
