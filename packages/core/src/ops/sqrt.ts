// y = sqrt(x); dx = dy / (2 y); forward ty = tx / (2 y)
// A primitive, not x ^ 0.5: pow(-0, 0.5) is 0 where sqrt(-0) is -0, and pow(-Infinity, 0.5) is Infinity, not NaN.
import { sqrt as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const sqrt = elementwise({
  name: 'sqrt',
  kernel,
  saves: 'output',
  timesDerivative: (m, g, y) => m.div(g, m.mul(y, 2)),
});
