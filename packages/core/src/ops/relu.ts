// y = max(x, 0); dx = dy * [x > 0]  (relu'(0) = 0, as PyTorch, JAX and TensorFlow)
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { greater } from '../ndarray/kernels/binary.js';
import { relu as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const relu = defineOp({
  name: 'relu',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => [m.mul(dy, m.mask(greater, m.input(ctx, 0), 0))],
});
