// y = x * factor, written into x's storage; dx = factor * dy; forward tx' = factor * tx. Recorded when x takes part in a
// graph (see in-place.ts).
import { defineInPlaceOp } from '../autodiff/in-place.js';
import type { TensorNode } from '../autodiff/node.js';

export const mulInPlace = defineInPlaceOp<{ readonly factor: number }>({
  name: 'mulInPlace',
  forward(ctx, x: TensorNode) {
    const factor = ctx.attrs.factor;
    if (x.raw.device !== undefined) {
      x.raw.device.mulInPlace(x.raw, factor);
      return x.raw;
    }
    const d = x.data;
    for (let i = 0; i < d.length; i++) d[i] *= factor;
    return x.raw;
  },
  backward: (ctx, dy: TensorNode) => [dy.mul(ctx.attrs.factor)],
  tangent: (_m, ctx, tx) => tx && tx.mul(ctx.attrs.factor),
});
