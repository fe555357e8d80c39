// y = log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (no overflow); dx = dy * sigmoid(x); forward ty = tx * sigmoid(x)
// A fused op, not a composite: the composite's max and |x| have kinks at 0 that would give dx(0) = 0, not 1/2.
import { softplus as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const softplus = elementwise({
  name: 'softplus',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.sigmoid(x)),
});
