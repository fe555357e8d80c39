// y = max(a + b, 0) (broadcasting); da = db = dy * [y > 0] (summed to each shape), since y > 0 exactly when a + b > 0
// A fused op for a measured reason (STYLE.md): a Linear layer followed by ReLU spends one pass and one
// allocation on the bias and the activation instead of two, and its backward reads the mask off the output.
// Its test checks it against the composite relu(add(a, b)), which stays the oracle.
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { addRelu as kernel, greater, reluGrad } from '../ndarray/kernels/binary.js';
import { binaryRaw } from './raw.js';

export const addRelu = defineOp({
  name: 'addRelu',
  forward(ctx, a: Node, b: Node) {
    ctx.saveOutput();
    return binaryRaw(kernel, a, b);
  },
  gradient(m, ctx, dy) {
    const y = m.output(ctx);
    const dz = m.fused(reluGrad, dy, y) ?? m.mul(dy, m.mask(greater, y, 0));
    m.inputGrad(0, dz);
    m.inputGrad(1, dz);
  },
});
