// y = src (broadcast to x's shape), written into x's storage; dx = 0 (the old value no longer matters, PyTorch's
// copy_ gives zeros too), dsrc = dy (summed back to src's shape); forward tx' = tsrc (broadcast; zero when src is not
// perturbed). Recorded when x or src takes part in a graph.
import { defineInPlaceOp } from '../autodiff/in-place.js';
import type { TensorNode } from '../autodiff/node.js';
import { broadcastTo } from '../ndarray/kernels/layout.js';
import { sameShape } from '../ndarray/shape.js';

export const assign = defineInPlaceOp<undefined>({
  name: 'assign',
  forward(_ctx, x: TensorNode, src: TensorNode) {
    if (x.raw.device !== undefined) {
      x.raw.device.assign(x.raw, src.raw);
      return x.raw;
    }
    if (src.size === 1) x.data.fill(src.data[0]);
    else x.data.set(sameShape(src.shape, x.shape) ? src.data : broadcastTo(src.raw, x.shape).data);
    return x.raw;
  },
  backward: (_ctx, dy: TensorNode) => [dy.zerosLike(), dy],
  tangent: (_m, _ctx, _tx, tsrc) => tsrc,
});
