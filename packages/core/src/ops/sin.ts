// y = sin x; dx = dy * cos x
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { sin as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const sin = defineOp({
  name: 'sin',
  forward(ctx, x: Node) {
    ctx.saveInputs();
    return unaryRaw(kernel, x);
  },
  backward(ctx, dy: Node) {
    const [x] = ctx.saved as Node[];
    return [dy.mul(x.cos())];
  },
});
