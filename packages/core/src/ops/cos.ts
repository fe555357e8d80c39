// y = cos x; dx = -dy * sin x; forward ty = -tx * sin x
import { cos as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const cos = elementwise({
  name: 'cos',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.neg(m.mul(g, m.sin(x))),
});
