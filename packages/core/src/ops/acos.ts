// y = acos x on [-1, 1]; dx = -dy / sqrt(1 - x^2); forward ty = -tx / sqrt(1 - x^2)
import { acos as kernel } from '../ndarray/kernels/elementary.js';
import { asinDerivative } from './asin.js';
import { elementwise } from './elementwise.js';

export const acos = elementwise({
  name: 'acos',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(m.neg(g), asinDerivative(m, x)),
});
