// y = e^x - 1, exact near 0 where e^x - 1 cancels; dx = dy * (y + 1); forward ty = tx * (y + 1)
import { expm1 as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const expm1 = elementwise({
  name: 'expm1',
  kernel,
  saves: 'output',
  timesDerivative: (m, g, y) => m.mul(g, m.add(y, 1)),
});
