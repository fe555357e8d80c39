// y = 1 / (1 + e^-x), computed without overflow for |x| up to the float range; dx = dy * y * (1 - y); forward ty = tx * y * (1 - y)
// A primitive, not a composite of exp: 1 / (1 + e^-x) overflows e^-x below x = -709 and takes four passes.
import { sigmoidGrad } from '../ndarray/kernels/binary.js';
import { sigmoid as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const sigmoid = elementwise({
  name: 'sigmoid',
  kernel,
  saves: 'output',
  // Unrecorded: one fused pass (as tanh); recorded: differentiable ops, for higher derivatives.
  timesDerivative: (m, g, y) => m.fused(sigmoidGrad, g, y) ?? m.mul(m.mul(g, y), m.add(m.neg(y), 1)),
});
