// y = sin x; dx = dy * cos x; forward ty = tx * cos x
import { sin as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const sin = elementwise({
  name: 'sin',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.cos(m.input(ctx, 0)))),
  tangent: (m, ctx, tx) => m.mul(tx, m.cos(m.input(ctx, 0))),
});
