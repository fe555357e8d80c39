// y = asinh x = log(x + sqrt(x^2 + 1)); dx = dy / sqrt(x^2 + 1); forward ty = tx / sqrt(x^2 + 1)
import { asinh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const asinh = elementwise({
  name: 'asinh',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.pow(m.add(m.mul(x, x), 1), -0.5)),
});
