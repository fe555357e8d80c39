// y = max(x, 0); dx = dy * [x > 0]; forward ty = tx * [x > 0]  (relu'(0) = 0, as PyTorch, JAX and TensorFlow)
// A primitive, not maximum(x, 0): that would split the gradient 1/2 at the tie x = 0.
import { greater, reluGrad } from '../ndarray/kernels/binary.js';
import { relu as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const relu = elementwise({
  name: 'relu',
  kernel,
  saves: 'inputs',
  // Unrecorded: one fused pass, no mask tensor (as tanh); recorded: the mask form, for higher derivatives.
  timesDerivative: (m, g, x) => m.fused(reluGrad, g, x) ?? m.mul(g, m.mask(greater, x, 0)),
});
