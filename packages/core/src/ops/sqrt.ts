// y = sqrt(x); dx = dy / (2 y)
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { sqrt as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const sqrt = defineOp({
  name: 'sqrt',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => m.inputGrad(0, m.div(dy, m.mul(m.output(ctx), 2))),
});
