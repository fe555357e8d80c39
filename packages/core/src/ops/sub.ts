// y = a - b; da = dy, db = -dy; forward ty = ta - tb
// A primitive, not a + (-b): one pass and one tape entry instead of two, and listings show the sub a user wrote.
import { sub as kernel } from '../ndarray/kernels/binary.js';
import { elementwise } from './elementwise.js';

export const sub = elementwise({
  name: 'sub',
  kernel,
  saves: 'none',
  gradient(m, ctx, dy) {
    m.inputGrad(0, dy);
    if (ctx.needsGrad(1)) m.inputGrad(1, m.neg(dy));
  },
  tangent: (m, _ctx, ta, tb) => (tb === null ? ta : ta === null ? m.neg(tb) : m.sub(ta, tb)),
});
