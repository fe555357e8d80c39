// y = acosh x = log(x + sqrt(x^2 - 1)) on [1, Infinity); dx = dy / sqrt(x^2 - 1); forward ty = tx / sqrt(x^2 - 1)
// x^2 - 1 is taken as (x - 1)(x + 1), which keeps its digits as x nears 1; at 1 the derivative is Infinity.
import { acosh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const acosh = elementwise({
  name: 'acosh',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.pow(m.mul(m.sub(x, 1), m.add(x, 1)), -0.5)),
});
