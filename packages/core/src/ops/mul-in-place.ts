// y = x * factor, written into x's storage; dx = factor * dy. Recorded when x takes part in a graph (see in-place.ts).
import { defineInPlaceOp } from '../autodiff/in-place.js';
import type { Tensor } from '../tensor.js';

export const mulInPlace = defineInPlaceOp<{ readonly factor: number }>({
  name: 'mulInPlace',
  forward(ctx, x: Tensor) {
    const d = x.data;
    const factor = ctx.attrs.factor;
    for (let i = 0; i < d.length; i++) d[i] *= factor;
    return x.raw;
  },
  backward: (ctx, dy: Tensor) => [dy.mul(ctx.attrs.factor)],
});
