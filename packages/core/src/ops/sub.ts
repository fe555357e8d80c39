// y = a - b; da = dy, db = -dy
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { sub as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const sub = defineOp({
  name: 'sub',
  forward: (_ctx, a: Node, b: Node) => binaryRaw(kernel, a, b),
  gradient(m, ctx, dy) {
    m.inputGrad(0, dy);
    if (ctx.needsGrad(1)) m.inputGrad(1, m.neg(dy));
  },
});
