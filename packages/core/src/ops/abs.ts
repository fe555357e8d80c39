// y = |x|; dx = dy * sign(x)  (|x|'(0) = 0, the subgradient PyTorch and JAX pick)
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { abs as kernel, sign } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const abs = defineOp({
  name: 'abs',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.map(sign, m.input(ctx, 0)))),
});
