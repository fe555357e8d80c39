// y = takeAlongAxis(x, indices, axis): y[..., j, ...] = x[..., indices[..., j, ...], ...] (np.take_along_axis,
// torch.gather); indices are int32 and have x's shape except along `axis`. y is linear in x, so
//   dx = scatterAlongAxis(dy, indices): zeros of x's shape, dy added at the picked positions (an element picked
//   twice gets both gradients, an element never picked gets 0),
// and scatterAlongAxis's gradient is takeAlongAxis again (each is the other's adjoint), so every order
// differentiates. Forward mode: each op applied to the tangent (linear). indices get no gradient or tangent.
// sort and topk are this op at the indices of a sort (functions/sort.ts).
// Batched (vmap): the op itself with the batch axis first on both operands (an unbatched one repeated along it), at
// `axis` + 1: each sample's indices then pick within that sample's line.
import type { OpWithRules } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { batchFirst, batchSize } from './batching.js';
import { linearPair } from './linear-pair.js';
import { scatterAlongAxis as scatterKernel, takeAlongAxis as takeKernel } from '../ndarray/kernels/along-axis.js';

export interface AlongAxisAttrs {
  /** The axis the indices pick along (already in [0, rank)). */
  readonly axis: number;
}

const pair = linearPair<AlongAxisAttrs, AlongAxisAttrs & { readonly size: number }, [TensorNode, TensorNode]>(
  {
    name: 'takeAlongAxis',
    forward: (ctx, x, indices) => takeKernel(x.raw, indices.raw, ctx.attrs.axis),
    adjointAttrs: (ctx) => ({ axis: ctx.attrs.axis, size: ctx.inputs[0].shape[ctx.attrs.axis] }),
    batch(ctx, x, indices) {
      const size = batchSize([x, indices]);
      return { value: takeAlongAxis(batchFirst(x, size), batchFirst(indices, size), { axis: ctx.attrs.axis + 1 }), dim: 0 };
    },
  },
  {
    name: 'scatterAlongAxis',
    forward: (ctx, g, indices) => scatterKernel(g.raw, indices.raw, ctx.attrs.axis, ctx.attrs.size),
    adjointAttrs: (ctx) => ({ axis: ctx.attrs.axis }),
    batch(ctx, g, indices) {
      const size = batchSize([g, indices]);
      const { axis, size: length } = ctx.attrs;
      return { value: scatterAlongAxis(batchFirst(g, size), batchFirst(indices, size), { axis: axis + 1, size: length }), dim: 0 };
    },
  },
);
export const takeAlongAxis: OpWithRules<AlongAxisAttrs, [TensorNode, TensorNode]> = pair[0];
/** The adjoint of takeAlongAxis: g added into zeros whose `axis` has length `size`, at `indices`. */
export const scatterAlongAxis: OpWithRules<AlongAxisAttrs & { readonly size: number }, [TensorNode, TensorNode]> = pair[1];
