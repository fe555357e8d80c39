// y[..., :] = weight[indices[...], :] (a lookup of rows; PyTorch's embedding). y is linear in weight, and
// dweight = scatterAdd(dy, indices): each row gets the sum of the gradients of every position that looked it up (a
// repeated index accumulates), except the row `paddingIdx`, which gets none (its positions' dy is masked to 0).
// indices get no gradient. Forward mode: ty = embedding(indices, tweight), the padding row's tangent included, as
// PyTorch's forward mode gives it (so jvp and vjp disagree on that row by design).
// Batched (vmap): batched indices look up in the one table as they are (more positions); a batched table takes its
// batch axis after the rows (one lookup of [rows, B, dim]). Both batched: gather's rule for that case (every
// sample's table stacked as [B * rows, dim], each sample's indices offset by b * rows), whose gradient is the lookup's
// without a padding row; with a paddingIdx, a loop (one padding row per sample cannot be said with one paddingIdx).
import type { OpWithRules } from '../autodiff/define-op.js';
import { defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { allocate } from '../ndarray/dtype.js';
import { gather as gatherKernel } from '../ndarray/kernels/layout.js';
import { NDArray } from '../ndarray/ndarray.js';
import { gatherEach, scatterAdd } from './gather.js';
import { moveBatchAxis } from './batching.js';

export interface EmbeddingAttrs {
  /** The row that gets no gradient (already in [0, rows)), or null. */
  readonly paddingIdx: number | null;
}

export const embedding: OpWithRules<EmbeddingAttrs, [TensorNode, TensorNode]> = defineOp({
  name: 'embedding',
  forward: (_ctx, indices, weight) => gatherKernel(weight.raw, indices.raw, 0),
  backward(ctx, dy) {
    const [indices, weight] = ctx.inputs;
    const pad = ctx.attrs.paddingIdx;
    let g = dy;
    if (pad !== null) {
      // 1 where a position looked up another row, 0 where it looked up the padding row: [...indices.shape, 1, ...]
      // (size-1 axes for each axis of a row: one, or two when vmap's batch sits after the rows).
      const keep = allocate(dy.dtype, indices.size);
      const I = indices.data;
      for (let i = 0; i < keep.length; i++) keep[i] = I[i] === pad ? 0 : 1;
      const rowAxes = new Array<number>(dy.rank - indices.rank).fill(1);
      const mask = new NDArray(keep, [...indices.shape, ...rowAxes]);
      g = dy.mul(dy.make(dy.raw.device?.upload(mask, 'embedding') ?? mask) as TensorNode);
    }
    return [null, scatterAdd(g, indices, { axis: 0, size: weight.shape[0] })];
  },
  // The lookup itself, padding row included (PyTorch's auto_linear rule): only the reverse rule leaves that row out.
  tangent: (_m, ctx, _ti, tw) => tw && embedding(ctx.inputs[0], tw, ctx.attrs),
  batch(ctx, indices, weight) {
    if (weight.dim === null) return { value: embedding(indices.value, weight.value, ctx.attrs), dim: indices.dim! };
    if (indices.dim !== null) return ctx.attrs.paddingIdx === null ? gatherEach(weight, indices, 0) : null;
    const table = moveBatchAxis(weight, 1); // [rows, B, dim]: each position looks up every sample's row
    return { value: embedding(indices.value, table, ctx.attrs), dim: indices.value.rank };
  },
});
