// y = sin x; dx = dy * cos x
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { sin as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const sin = defineOp({
  name: 'sin',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.cos(m.input(ctx, 0)))),
});
