// y = max(a, b) elementwise; da = dy * ([a > b] + 1/2 [a = b]), db = dy * ([b > a] + 1/2 [a = b])
// Ties split the gradient evenly, as in PyTorch and JAX.
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { equal, greater, maximum as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw, constantMask } from './raw.js';

export const maximum = defineOp({
  name: 'maximum',
  forward(ctx, a: Node, b: Node) {
    ctx.saveInputs();
    return binaryRaw(kernel, a, b);
  },
  backward(ctx, dy: Node) {
    const [a, b] = ctx.saved as Node[];
    const half = constantMask(equal, a, b).mul(0.5);
    return [
      ctx.needsGrad(0) ? dy.mul(constantMask(greater, a, b).add(half)) : null,
      ctx.needsGrad(1) ? dy.mul(constantMask(greater, b, a).add(half)) : null,
    ];
  },
});
