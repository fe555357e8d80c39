// y = x > 0 ? x : slope * x; dx = dy * (x > 0 ? 1 : slope)  (at 0 the slope side, as PyTorch)
import { defineOp } from '../autodiff/context.js';
import type { Node } from '../autodiff/node.js';
import { greater } from '../ndarray/kernels/binary.js';
import { mapArray } from '../ndarray/kernels/unary.js';
import { floatResult } from '../ndarray/dtype.js';
import { constantMask } from './raw.js';

export interface LeakyReluAttrs {
  readonly slope: number;
}

export const leakyRelu = defineOp<LeakyReluAttrs>({
  name: 'leakyRelu',
  forward(ctx, x: Node) {
    const s = ctx.attrs.slope;
    ctx.saveInputs();
    const f = (v: number) => (v > 0 ? v : s * v);
    const r = x.raw;
    return typeof r === 'number' ? f(r) : mapArray(r, floatResult(r.dtype), f);
  },
  backward(ctx, dy: Node) {
    const [x] = ctx.saved as Node[];
    const positive = constantMask(greater, x, x.constant(0));
    // positive + slope * (1 - positive)
    return [dy.mul(positive.mul(1 - ctx.attrs.slope).add(ctx.attrs.slope))];
  },
});
