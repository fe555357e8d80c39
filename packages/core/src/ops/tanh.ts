// y = tanh x; dx = dy * (1 - y^2)
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { tanh as kernel } from '../ndarray/kernels/unary.js';
import { binaryRaw, unaryRaw } from './raw.js';
import { tanhGrad } from '../ndarray/kernels/binary.js';
import { isGradEnabled } from '../autodiff/mode.js';

export const tanh = defineOp({
  name: 'tanh',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  backward(ctx, dy: Node) {
    const y = ctx.output!;
    // Unrecorded, the same math runs as one fused pass instead of four (measured on W4, 1e6 elements);
    // recorded (createGraph), it is written in differentiable ops so higher derivatives flow through y.
    if (!isGradEnabled()) return [y.make(binaryRaw(tanhGrad, dy, y))];
    return [dy.mul(y.mul(y).neg().add(1))];
  },
});
