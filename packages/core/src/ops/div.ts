// y = a / b; da = dy / b, db = -dy * a / b^2
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { div as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const div = defineOp({
  name: 'div',
  forward(ctx, a: Node, b: Node) {
    ctx.saveInputs();
    return binaryRaw(kernel, a, b);
  },
  backward(ctx, dy: Node) {
    const [a, b] = ctx.saved as Node[];
    return [
      ctx.needsGrad(0) ? dy.div(b) : null,
      ctx.needsGrad(1) ? dy.mul(a).div(b.mul(b)).neg() : null,
    ];
  },
});
