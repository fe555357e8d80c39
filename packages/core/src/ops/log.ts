// y = ln x; dx = dy / x
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { log as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const log = defineOp({
  name: 'log',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => m.inputGrad(0, m.div(dy, m.input(ctx, 0))),
});
