// y = silu x = x sigmoid(x); dx = dy * s (1 + x (1 - s)), s = sigmoid(x). Forward mode: ty = tx * s (1 + x (1 - s)).
// Fused (one kernel instead of sigmoid and mul, one pass for the gradient instead of five): x * x.sigmoid() is the
// composite its test checks it against.
import { silu as kernel, siluGrad } from '../ndarray/kernels/activation.js';
import { elementwise } from './elementwise.js';

export const silu = elementwise({
  name: 'silu',
  kernel,
  saves: 'inputs',
  gradient(m, ctx, dy) {
    const x = m.input(ctx, 0);
    const fused = m.fused(siluGrad, dy, x);
    if (fused !== null) {
      m.inputGrad(0, fused);
    } else {
      const s = m.sigmoid(x);
      m.inputGrad(0, m.mul(dy, m.mul(s, m.add(m.mul(x, m.add(m.neg(s), 1)), 1))));
    }
  },
});
