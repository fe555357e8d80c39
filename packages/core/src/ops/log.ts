// y = ln x; dx = dy / x; forward ty = tx / x
import { log as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const log = elementwise({
  name: 'log',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.div(g, x),
});
