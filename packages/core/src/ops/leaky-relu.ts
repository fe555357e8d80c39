// y = x > 0 ? x : slope * x; dx = dy * (x > 0 ? 1 : slope); forward ty = tx * (x > 0 ? 1 : slope)  (at 0 the slope side,
// as PyTorch)
// Batched (vmap): elementwise, so the op on the batched value, its batch axis where it was.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { greater } from '../ndarray/kernels/binary.js';
import { mapArray } from '../ndarray/kernels/unary.js';
import { floatResult } from '../ndarray/dtype.js';
import { DTypeError } from '../errors.js';
import { describeValue } from '../ndarray/shape.js';
import { deviceKernel } from '../ndarray/device.js';

export interface LeakyReluAttrs {
  readonly slope: number;
}

export const leakyRelu: OpWithRules<LeakyReluAttrs, [Node]> = defineOp({
  name: 'leakyRelu',
  forward(ctx, x: Node) {
    const s = ctx.attrs.slope;
    if (typeof s !== 'number') throw new DTypeError(`leakyRelu: slope must be a number; got ${describeValue(s)}`);
    ctx.saveInputs();
    const f = (v: number) => (v > 0 ? v : s * v);
    const r = x.raw;
    if (typeof r === 'number') return f(r);
    return r.device !== undefined ? deviceKernel(r.device, 'leakyRelu').leakyRelu(r, s) : mapArray(r, floatResult(r.dtype), f);
  },
  gradient(m, ctx, dy) {
    const positive = m.mask(greater, m.input(ctx, 0), 0);
    // positive + slope * (1 - positive)
    m.inputGrad(0, m.mul(dy, m.add(m.mul(positive, 1 - ctx.attrs.slope), ctx.attrs.slope)));
  },
  tangent(m, ctx, tx) {
    const positive = m.mask(greater, m.input(ctx, 0), 0);
    return m.mul(tx!, m.add(m.mul(positive, 1 - ctx.attrs.slope), ctx.attrs.slope));
  },
  batch(ctx, x) {
    ctx.saveInputs();
    return { value: leakyRelu(x.value, ctx.attrs), dim: x.dim! };
  },
});
