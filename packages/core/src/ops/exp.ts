// y = e^x; dx = dy * y; forward ty = tx * y
import { exp as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const exp = elementwise({
  name: 'exp',
  kernel,
  saves: 'output',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.output(ctx))),
  tangent: (m, ctx, tx) => m.mul(tx, m.output(ctx)),
});
