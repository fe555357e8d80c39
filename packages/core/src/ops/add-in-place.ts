// y = x + alpha * other, written into x's storage (other broadcast to x's shape); dx = dy, dother = alpha * dy
// (summed back to other's shape by the sweep); forward tx' = tx + alpha * tother. Recorded when x or other takes part
// in a graph (see in-place.ts).
import { addTangents } from '../autodiff/grad-math.js';
import { defineInPlaceOp } from '../autodiff/in-place.js';
import type { TensorNode } from '../autodiff/node.js';
import { addScaledInPlace } from '../ndarray/kernels/backend/wasm-axpy.js';
import { broadcastTo } from '../ndarray/kernels/layout.js';
import { sameShape } from '../ndarray/shape.js';

export const addInPlace = defineInPlaceOp<{ readonly alpha: number }>({
  name: 'addInPlace',
  forward(ctx, x: TensorNode, other: TensorNode) {
    const alpha = ctx.attrs.alpha;
    if (x.raw.device !== undefined) {
      x.raw.device.addInPlace(x.raw, other.raw, alpha);
      return x.raw;
    }
    // raw.data, not the public `data`, which hands the array to user code: a gradient read here (an SGD step) may
    // still go back to the pool when its tidy ends.
    const d = x.raw.data;
    if (other.size === 1) {
      const v = alpha * other.raw.data[0];
      for (let i = 0; i < d.length; i++) d[i] += v;
    } else {
      const s = sameShape(other.shape, x.shape) ? other.raw.data : broadcastTo(other.raw, x.shape).data;
      addScaledInPlace(d, s, alpha);
    }
    return x.raw;
  },
  backward: (ctx, dy: TensorNode) => [dy, ctx.attrs.alpha === 1 ? dy : dy.mul(ctx.attrs.alpha)],
  tangent: (m, ctx, tx, tother) => addTangents(m, tx, tother && (ctx.attrs.alpha === 1 ? tother : tother.mul(ctx.attrs.alpha))),
});
