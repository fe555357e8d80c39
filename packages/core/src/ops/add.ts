// y = a + b (broadcasting); da = dy, db = dy (the sweep sums each back to its input's shape)
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { add as kernel } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const add = defineOp({
  name: 'add',
  forward: (_ctx, a: Node, b: Node) => binaryRaw(kernel, a, b),
  gradient(m, _ctx, dy) {
    m.inputGrad(0, dy);
    m.inputGrad(1, dy);
  },
});
