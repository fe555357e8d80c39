// y = e^x; dx = dy * y
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { exp as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const exp = defineOp({
  name: 'exp',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.output(ctx))),
});
