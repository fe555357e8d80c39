// y = tanh x; dx = dy * (1 - y^2)
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { tanh as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const tanh = defineOp({
  name: 'tanh',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  backward(ctx, dy: Node) {
    const y = ctx.output!;
    return [dy.mul(y.mul(y).neg().add(1))];
  },
});
