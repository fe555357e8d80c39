// y = cos x; dx = -dy * sin x; forward ty = -tx * sin x
import { cos as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const cos = elementwise({
  name: 'cos',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.neg(m.mul(dy, m.sin(m.input(ctx, 0))))),
  tangent: (m, ctx, tx) => m.neg(m.mul(tx, m.sin(m.input(ctx, 0)))),
});
