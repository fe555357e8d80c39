// y = log(1 + x), exact near 0 where log(1 + x) loses x's digits; dx = dy / (1 + x); forward ty = tx / (1 + x)
import { log1p as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const log1p = elementwise({
  name: 'log1p',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.div(dy, m.add(m.input(ctx, 0), 1))),
  tangent: (m, ctx, tx) => m.div(tx, m.add(m.input(ctx, 0), 1)),
});
