// y = sinh x = (e^x - e^-x) / 2; dx = dy * cosh x; forward ty = tx * cosh x
import { sinh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const sinh = elementwise({
  name: 'sinh',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.cosh(m.input(ctx, 0)))),
  tangent: (m, ctx, tx) => m.mul(tx, m.cosh(m.input(ctx, 0))),
});
