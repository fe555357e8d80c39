// y = -x; dx = -dy; forward ty = -tx
import { neg as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const neg = elementwise({
  name: 'neg',
  kernel,
  saves: 'none',
  gradient: (m, _ctx, dy) => m.inputGrad(0, m.neg(dy)),
  tangent: (m, _ctx, tx) => m.neg(tx),
});
