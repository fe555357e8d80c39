// y = tanh x; dx = dy * (1 - y^2)
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { tanh as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';
import { tanhGrad } from '../ndarray/kernels/binary.js';

export const tanh = defineOp({
  name: 'tanh',
  forward(ctx, x: Node) {
    ctx.saveOutput();
    return unaryRaw(kernel, x);
  },
  gradient(m, ctx, dy) {
    const y = m.output(ctx);
    // Unrecorded, the same math runs as one fused pass instead of four (measured on W4, 1e6 elements);
    // recorded (createGraph), it is written in differentiable ops so higher derivatives flow through y.
    m.inputGrad(0, m.fused(tanhGrad, dy, y) ?? m.mul(dy, m.add(m.neg(m.mul(y, y)), 1)));
  },
});
