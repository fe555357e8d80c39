// y = a ^ b; da = dy * b * a^(b-1), db = dy * y * log(a) (only computed when b requires grad: log(a) is NaN for a < 0)
// At a = 0, db = 0 (as PyTorch and JAX): y * log(a) would be 0 * -Infinity = NaN, so log reads 1 there instead.
// Where b = 0, da = 0 even at a = 0 (b * a^(b-1) would be 0 * Infinity), so the power reads a^0 there.
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { equal, pow as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw, constantMask } from './raw.js';

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
      ctx.needsGrad(0) ? dy.mul(b).mul(a.pow(b.sub(1).add(constantMask(equal, b, b.constant(0))))) : null,
      ctx.needsGrad(1) ? dy.mul(ctx.output!).mul(a.add(constantMask(equal, a, a.constant(0))).log()) : null,
    ];
  },
});
