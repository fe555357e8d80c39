// y = |x|; dx = dy * sign(x); forward ty = tx * sign(x)  (|x|'(0) = 0, the subgradient PyTorch and JAX pick)
import { abs as kernel, sign } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const abs = elementwise({
  name: 'abs',
  kernel,
  saves: 'inputs',
  timesDerivative: (m, g, x) => m.mul(g, m.map(sign, x)),
});
