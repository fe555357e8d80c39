// y = a / b; da = dy / b, db = -dy * a / b^2
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { div as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const div = defineOp({
  name: 'div',
  forward(ctx, a: Node, b: Node) {
    ctx.saveInputs();
    return binaryRaw(kernel, a, b);
  },
  gradient(m, ctx, dy) {
    const a = m.input(ctx, 0);
    const b = m.input(ctx, 1);
    if (ctx.needsGrad(0)) m.inputGrad(0, m.div(dy, b));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.neg(m.div(m.mul(dy, a), m.mul(b, b))));
  },
});
