// y = 1 / (1 + e^-x), computed without overflow for |x| up to the float range; dx = dy * y * (1 - y)
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { sigmoid as kernel } from '../ndarray/kernels/unary.js';
import { binaryRaw, unaryRaw } from './raw.js';
import { sigmoidGrad } from '../ndarray/kernels/binary.js';
import { isGradEnabled } from '../autodiff/mode.js';

export const sigmoid = defineOp({
  name: 'sigmoid',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  backward(ctx, dy: Node) {
    const y = ctx.output!;
    // Unrecorded: one fused pass (as tanh); recorded: differentiable ops, for higher derivatives.
    if (!isGradEnabled()) return [y.make(binaryRaw(sigmoidGrad, dy, y))];
    return [dy.mul(y).mul(y.neg().add(1))];
  },
});
