// y = min(max(x, lo), hi); dx = dy * [lo <= x <= hi]; forward ty = tx * [lo <= x <= hi]  (the bounds themselves pass the
// gradient, as PyTorch's clamp)
// Batched (vmap): elementwise, so the batched value clamped, its batch axis where it was.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { Node } from '../autodiff/node.js';
import { DTypeError, ShapeError } from '../errors.js';
import { describeValue } from '../ndarray/shape.js';
import { deviceKernel } from '../ndarray/device.js';
import { greaterEqual, lessEqual } from '../ndarray/kernels/binary.js';
import { mapArray } from '../ndarray/kernels/unary.js';
import { type DType, floatResult } from '../ndarray/dtype.js';

export interface ClampAttrs {
  readonly min?: number;
  readonly max?: number;
}

export const clamp: OpWithRules<ClampAttrs, [Node]> = defineOp({
  name: 'clamp',
  forward(ctx, x: Node) {
    const lo = ctx.attrs.min ?? -Infinity;
    const hi = ctx.attrs.max ?? Infinity;
    if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi))
      throw new DTypeError(`clamp: min and max must be numbers (or undefined); got ${describeValue(lo)} and ${describeValue(hi)}`);
    if (lo > hi) throw new ShapeError(`clamp: min ${lo} is greater than max ${hi}`);
    ctx.saveInputs();
    const f = (v: number) => (v < lo ? lo : v > hi ? hi : v);
    const r = x.raw;
    if (typeof r === 'number') return f(r);
    if (r.device !== undefined) return deviceKernel(r.device, 'clamp').clamp(r, lo, hi);
    // Integer (or infinite) bounds keep an int32 tensor int32; a fractional bound needs a float result.
    const whole = (v: number) => Number.isInteger(v) || !Number.isFinite(v);
    const dtype: DType = whole(lo) && whole(hi) ? r.dtype : floatResult(r.dtype);
    return mapArray(r, dtype, f);
  },
  gradient(m, ctx, dy) {
    const x = m.input(ctx, 0);
    const inside = m.mul(m.mask(greaterEqual, x, ctx.attrs.min ?? -Infinity), m.mask(lessEqual, x, ctx.attrs.max ?? Infinity));
    m.inputGrad(0, m.mul(dy, inside));
  },
  tangent(m, ctx, tx) {
    const x = m.input(ctx, 0);
    return m.mul(tx!, m.mul(m.mask(greaterEqual, x, ctx.attrs.min ?? -Infinity), m.mask(lessEqual, x, ctx.attrs.max ?? Infinity)));
  },
  batch(ctx, x) {
    ctx.saveInputs();
    return { value: clamp(x.value, ctx.attrs), dim: x.dim! };
  },
});
