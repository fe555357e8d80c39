// y = sinh x = (e^x - e^-x) / 2; dx = dy * cosh x; forward ty = tx * cosh x
import { sinh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const sinh = elementwise({
  name: 'sinh',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.cosh(x)),
});
