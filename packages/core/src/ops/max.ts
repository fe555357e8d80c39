// y = max (or min) of x over `axes`; dx = dy * [x = y] / (number of elements equal to y)
// Ties share the gradient evenly (as JAX and PyTorch's amax), so the rule is symmetric in tied elements.
import { type OpDefinition, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { equal } from '../ndarray/kernels/binary.js';
import { reduce } from '../ndarray/kernels/reduce.js';
import { reducedShape } from '../ndarray/shape.js';
import { maskNode } from '../autodiff/node-math.js';
import type { ReduceAttrs } from './sum.js';

function extremum(kind: 'max' | 'min'): OpDefinition<ReduceAttrs, [TensorNode]> {
  return {
    name: kind,
    forward(ctx, x) {
      ctx.saveInputs();
      ctx.saveOutput();
      return reduce(x.raw, ctx.attrs.axes, ctx.attrs.keepDims, kind);
    },
    backward(ctx, dy) {
      const [x] = ctx.saved;
      const kept = reducedShape(x.shape, ctx.attrs.axes, true);
      const y = ctx.output!.reshape(kept);
      const hit = maskNode(equal, x, y);
      const share = hit.div(hit.sum(ctx.attrs.axes, true));
      return [dy.reshape(kept).mul(share)];
    },
  };
}

export const max = defineOp(extremum('max'));
export const min = defineOp(extremum('min'));
