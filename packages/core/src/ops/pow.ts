// y = a ^ b; da = dy * b * a^(b-1), db = dy * y * log(a) (only computed when b requires grad: log(a) is NaN for a < 0);
// forward ty = ta * b * a^(b-1) + tb * y * log(a) (the second term only when b is perturbed)
// At a = 0, db = 0 (as PyTorch and JAX): y * log(a) would be 0 * -Infinity = NaN, so log reads 1 there instead.
// Where b = 0, da = 0 even at a = 0 (b * a^(b-1) would be 0 * Infinity), so the power reads a^0 there.
import { equal, pow as kernel } from '../ndarray/kernels/binary.js';
import { addTangents } from '../autodiff/grad-math.js';
import { elementwise } from './elementwise.js';

export const pow = elementwise({
  name: 'pow',
  kernel,
  saves: 'both',
  gradient(m, ctx, dy) {
    const a = m.input(ctx, 0);
    const b = m.input(ctx, 1);
    if (ctx.needsGrad(0)) m.inputGrad(0, m.mul(m.mul(dy, b), m.pow(a, m.add(m.sub(b, 1), m.mask(equal, b, 0)))));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.mul(m.mul(dy, m.output(ctx)), m.log(m.add(a, m.mask(equal, a, 0)))));
  },
  tangent(m, ctx, ta, tb) {
    const a = m.input(ctx, 0);
    const b = m.input(ctx, 1);
    return addTangents(
      m,
      ta && m.mul(m.mul(ta, b), m.pow(a, m.add(m.sub(b, 1), m.mask(equal, b, 0)))),
      tb && m.mul(m.mul(tb, m.output(ctx)), m.log(m.add(a, m.mask(equal, a, 0)))),
    );
  },
});
