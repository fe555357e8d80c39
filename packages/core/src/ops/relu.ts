// y = max(x, 0); dx = dy * [x > 0]  (relu'(0) = 0, as PyTorch, JAX and TensorFlow)
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { greater, reluGrad } from '../ndarray/kernels/binary.js';
import { relu as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const relu = defineOp({
  name: 'relu',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  gradient(m, ctx, dy) {
    const x = m.input(ctx, 0);
    // Unrecorded: one fused pass, no mask tensor (as tanh); recorded: the mask form, for higher derivatives.
    m.inputGrad(0, m.fused(reluGrad, dy, x) ?? m.mul(dy, m.mask(greater, x, 0)));
  },
});
