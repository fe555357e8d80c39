// y = 1 / (1 + e^-x), computed without overflow for |x| up to the float range; dx = dy * y * (1 - y)
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { sigmoid as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';
import { sigmoidGrad } from '../ndarray/kernels/binary.js';

export const sigmoid = defineOp({
  name: 'sigmoid',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  gradient(m, ctx, dy) {
    const y = m.output(ctx);
    // Unrecorded: one fused pass (as tanh); recorded: differentiable ops, for higher derivatives.
    m.inputGrad(0, m.fused(sigmoidGrad, dy, y) ?? m.mul(m.mul(dy, y), m.add(m.neg(y), 1)));
  },
});
