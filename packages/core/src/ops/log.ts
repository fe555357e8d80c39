// y = ln x; dx = dy / x; forward ty = tx / x
import { log as kernel } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const log = elementwise({
  name: 'log',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.div(dy, m.input(ctx, 0))),
  tangent: (m, ctx, tx) => m.div(tx, m.input(ctx, 0)),
});
