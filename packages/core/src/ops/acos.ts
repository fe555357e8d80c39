// y = acos x on [-1, 1]; dx = -dy / sqrt(1 - x^2); forward ty = -tx / sqrt(1 - x^2)
import { acos as kernel } from '../ndarray/kernels/elementary.js';
import { asinDerivative } from './asin.js';
import { elementwise } from './elementwise.js';

export const acos = elementwise({
  name: 'acos',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(m.neg(dy), asinDerivative(m, ctx))),
  tangent: (m, ctx, tx) => m.mul(m.neg(tx), asinDerivative(m, ctx)),
});
