// y = a ^ b; da = dy * b * a^(b-1), db = dy * y * log(a) (only computed when b requires grad: log(a) is NaN for a < 0)
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { pow as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const pow = defineOp({
  name: 'pow',
  forward(ctx, a: Node, b: Node) {
    ctx.saveInputs();
    ctx.saveOutput();
    return binaryRaw(kernel, a, b);
  },
  backward(ctx, dy: Node) {
    const [a, b] = ctx.saved as Node[];
    return [
      ctx.needsInputGrad[0] ? dy.mul(b).mul(a.pow(b.sub(1))) : null,
      ctx.needsInputGrad[1] ? dy.mul(ctx.output!).mul(a.log()) : null,
    ];
  },
});
