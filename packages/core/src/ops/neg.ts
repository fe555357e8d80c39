// y = -x; dx = -dy
import { defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { neg as kernel } from '../ndarray/kernels/unary.js';
import { unaryRaw } from './raw.js';

export const neg = defineOp({
  name: 'neg',
  forward: (_ctx, x: Node) => unaryRaw(kernel, x),
  gradient: (m, _ctx, dy) => m.inputGrad(0, m.neg(dy)),
});
