// y = a ^ b; da = dy * b * a^(b-1), db = dy * y * log(a) (only computed when b requires grad: log(a) is NaN for a < 0);
// forward ty = ta * b * a^(b-1) + tb * y * log(a) (the second term only when b is perturbed)
// At a = 0, db = 0 (as PyTorch and JAX): y * log(a) would be 0 * -Infinity = NaN, so log reads 1 there instead.
// Where b = 0, da = 0 even at a = 0 (b * a^(b-1) would be 0 * Infinity), so the power reads a^0 there.
import { equal, pow as kernel } from '../ndarray/kernels/binary.js';
import { elementwise } from './elementwise.js';

export const pow = elementwise({
  name: 'pow',
  kernel,
  saves: 'both',
  timesPartials: [
    (m, g, a, b) => m.mul(m.mul(g, b), m.pow(a, m.add(m.sub(b, 1), m.mask(equal, b, 0)))),
    (m, g, a, _b, y) => m.mul(m.mul(g, y), m.log(m.add(a, m.mask(equal, a, 0)))),
  ],
});
