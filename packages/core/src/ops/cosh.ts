// y = cosh x = (e^x + e^-x) / 2; dx = dy * sinh x; forward ty = tx * sinh x
// sinh, not (e^x - e^-x) / 2, which cancels near 0: cosh'(1e-10) must be 1e-10 to the last digit.
import { cosh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const cosh = elementwise({
  name: 'cosh',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.sinh(x)),
});
