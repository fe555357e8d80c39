// y = erf x = 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt; dx = dy * 2/sqrt(pi) * e^(-x^2); forward ty = tx * 2/sqrt(pi) * e^(-x^2)
import { erf as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const erf = elementwise({
  name: 'erf',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.mul(m.exp(m.neg(m.mul(x, x))), TWO_OVER_SQRT_PI)),
});
