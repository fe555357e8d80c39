// y = x[begin : begin + size] (a box); dx = dy placed into zeros of x's shape at `begin` (pad, its adjoint);
// forward ty = tx[begin : begin + size] (both ops are linear: each one's tangent is itself applied to the tangent)
// Batched (vmap), both: the same box with the whole batch axis added to it.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { pad as padKernel, slice as sliceKernel } from '../ndarray/kernels/layout.js';
import { withBatchEntry } from './batching.js';

export interface BoxAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

export const slice: OpWithRules<BoxAttrs, [TensorNode]> = defineOp<BoxAttrs, [TensorNode]>({
  name: 'slice',
  forward: (ctx, x) => sliceKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy) => [padInto(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
  tangent: (_m, ctx, tx) => slice(tx!, ctx.attrs),
  batch: (ctx, x) => ({ value: slice(x.value, batchedBox(ctx.attrs, x.dim!, x.value.shape[x.dim!])), dim: x.dim! }),
});

/** Zero-pads x into a box of shape `size` at offset `begin`; its gradient slices that box back out. */
export const padInto: OpWithRules<BoxAttrs, [TensorNode]> = defineOp<BoxAttrs, [TensorNode]>({
  name: 'padInto',
  forward: (ctx, x) => padKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy) => [slice(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
  tangent: (_m, ctx, tx) => padInto(tx!, ctx.attrs),
  batch: (ctx, x) => ({ value: padInto(x.value, batchedBox(ctx.attrs, x.dim!, x.value.shape[x.dim!])), dim: x.dim! }),
});

/** A sample's box as a box of the batched value: the whole batch axis (`size` long, at `dim`) added. */
function batchedBox(box: BoxAttrs, dim: number, size: number): BoxAttrs {
  return { begin: withBatchEntry(box.begin, dim, 0), size: withBatchEntry(box.size, dim, size) };
}
