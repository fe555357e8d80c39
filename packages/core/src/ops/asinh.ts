// y = asinh x = log(x + sqrt(x^2 + 1)); dx = dy / sqrt(x^2 + 1); forward ty = tx / sqrt(x^2 + 1)
import { asinh as kernel } from '../ndarray/kernels/elementary.js';
import { elementwise } from './elementwise.js';

export const asinh = elementwise({
  name: 'asinh',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    const x = m.input(ctx, 0);
    m.inputGrad(0, m.mul(dy, m.pow(m.add(m.mul(x, x), 1), -0.5)));
  },
  tangent(m, ctx, tx) {
    const x = m.input(ctx, 0);
    return m.mul(tx, m.pow(m.add(m.mul(x, x), 1), -0.5));
  },
});
