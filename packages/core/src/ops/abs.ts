// y = |x|; dx = dy * sign(x); forward ty = tx * sign(x)  (|x|'(0) = 0, the subgradient PyTorch and JAX pick)
import { abs as kernel, sign } from '../ndarray/kernels/unary.js';
import { elementwise } from './elementwise.js';

export const abs = elementwise({
  name: 'abs',
  kernel,
  saves: 'inputs',
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.map(sign, m.input(ctx, 0)))),
  tangent: (m, ctx, tx) => m.mul(tx, m.map(sign, m.input(ctx, 0))),
});
