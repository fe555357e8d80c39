// y[..., :] = weight[indices[...], :] (a lookup of rows; PyTorch's embedding). y is linear in weight, and
// dweight = scatterAdd(dy, indices): each row gets the sum of the gradients of every position that looked it up (a
// repeated index accumulates), except the row `paddingIdx`, which gets none (its positions' dy is masked to 0).
// indices get no gradient. Forward mode: ty = embedding(indices, tweight), the padding row's tangent included, as
// PyTorch's forward mode gives it (so jvp and vjp disagree on that row by design).
import type { OpWithTangent } from '../autodiff/define-op.js';
import { defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { allocate } from '../ndarray/dtype.js';
import { gather as gatherKernel } from '../ndarray/kernels/layout.js';
import { NDArray } from '../ndarray/ndarray.js';
import { scatterAdd } from './gather.js';

export interface EmbeddingAttrs {
  /** The row that gets no gradient (already in [0, rows)), or null. */
  readonly paddingIdx: number | null;
}

export const embedding: OpWithTangent<EmbeddingAttrs, [TensorNode, TensorNode]> = defineOp<EmbeddingAttrs, [TensorNode, TensorNode]>({
  name: 'embedding',
  forward: (_ctx, indices, weight) => gatherKernel(weight.raw, indices.raw, 0),
  backward(ctx, dy) {
    const [indices, weight] = ctx.inputs;
    const pad = ctx.attrs.paddingIdx;
    let g = dy;
    if (pad !== null) {
      // 1 where a position looked up another row, 0 where it looked up the padding row: [...indices.shape, 1].
      const keep = allocate(dy.dtype, indices.size);
      const I = indices.data;
      for (let i = 0; i < keep.length; i++) keep[i] = I[i] === pad ? 0 : 1;
      g = dy.mul(dy.make(new NDArray(keep, [...indices.shape, 1])) as TensorNode);
    }
    return [null, scatterAdd(g, indices, { axis: 0, size: weight.shape[0] })];
  },
  // The lookup itself, padding row included (PyTorch's auto_linear rule): only the reverse rule leaves that row out.
  tangent: (_m, ctx, _ti, tw) => tw && embedding(ctx.inputs[0], tw, ctx.attrs),
});
