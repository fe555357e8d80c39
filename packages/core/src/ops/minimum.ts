// y = min(a, b) elementwise; da = dy * ([a < b] + 1/2 [a = b]), db = dy * ([b < a] + 1/2 [a = b])
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { equal, greater, minimum as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const minimum = defineOp({
  name: 'minimum',
  forward(ctx, a: Node, b: Node) {
    ctx.saveInputs();
    return binaryRaw(kernel, a, b);
  },
  gradient(m, ctx, dy) {
    const a = m.input(ctx, 0);
    const b = m.input(ctx, 1);
    const half = m.mul(m.mask(equal, a, b), 0.5);
    if (ctx.needsGrad(0)) m.inputGrad(0, m.mul(dy, m.add(m.mask(greater, b, a), half)));
    if (ctx.needsGrad(1)) m.inputGrad(1, m.mul(dy, m.add(m.mask(greater, a, b), half)));
  },
});
