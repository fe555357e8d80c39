// y = cos x; dx = -dy * sin x
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { cos as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const cos = defineOp({
  name: 'cos',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  backward(ctx, dy: Node) {
    const [x] = ctx.saved as Node[];
    return [dy.mul(x.sin()).neg()];
  },
});
