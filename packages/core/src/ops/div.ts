// y = a / b; da = dy / b, db = -dy * a / b^2; forward ty = ta / b - tb * a / b^2
// A primitive, not a * b^-1: a / b is rounded once, a * (1 / b) twice, and the composite would take two passes.
import { div as kernel } from '../ndarray/kernels/binary.js';
import { elementwise } from './elementwise.js';

export const div = elementwise({
  name: 'div',
  kernel,
  saves: 'inputs',
  timesPartials: [(m, g, _a, b) => m.div(g, b), (m, g, a, b) => m.neg(m.div(m.mul(g, a), m.mul(b, b)))],
});
