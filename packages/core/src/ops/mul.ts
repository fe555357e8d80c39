// y = a * b; da = dy * b, db = dy * a
// The one place the derivative of multiplication is written: the tape and MulLayer both use it.
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { mul as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const mul = defineOp({
  name: 'mul',
  forward(ctx, a: Node, b: Node) {
    ctx.saveInputs();
    return binaryRaw(kernel, a, b);
  },
  gradient(m, ctx, dy) {
    if (ctx.needsGrad(0)) m.inputGrad(0, m.mulFor(ctx, 0, dy, m.input(ctx, 1)));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.mulFor(ctx, 1, dy, m.input(ctx, 0)));
  },
});
