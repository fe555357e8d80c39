// y = cos x; dx = -dy * sin x
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { cos as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const cos = defineOp({
  name: 'cos',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => m.inputGrad(0, m.neg(m.mul(dy, m.sin(m.input(ctx, 0))))),
});
