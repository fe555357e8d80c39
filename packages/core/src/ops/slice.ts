// y = x[begin : begin + size] (a box); dx = dy placed into zeros of x's shape at `begin` (pad, its adjoint)
// Batched (vmap), both: the same box with the whole batch axis added to it.
import { OpWithBatch, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { pad as padKernel, slice as sliceKernel } from '../ndarray/kernels/layout.js';
import { withBatchEntry } from './batching.js';

export interface BoxAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

export const slice: OpWithBatch<BoxAttrs, [TensorNode]> = defineOp<BoxAttrs, [TensorNode]>({
  name: 'slice',
  forward: (ctx, x) => sliceKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy) => [padInto(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
  batch: (ctx, x) => ({ value: slice(x.value, batchedBox(ctx.attrs, x.dim!, x.value.shape[x.dim!])), dim: x.dim! }),
});

/** Zero-pads x into a box of shape `size` at offset `begin`; its gradient slices that box back out. */
export const padInto: OpWithBatch<BoxAttrs, [TensorNode]> = defineOp<BoxAttrs, [TensorNode]>({
  name: 'padInto',
  forward: (ctx, x) => padKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy) => [slice(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
  batch: (ctx, x) => ({ value: padInto(x.value, batchedBox(ctx.attrs, x.dim!, x.value.shape[x.dim!])), dim: x.dim! }),
});

/** A sample's box as a box of the batched value: the whole batch axis (`size` long, at `dim`) added. */
function batchedBox(box: BoxAttrs, dim: number, size: number): BoxAttrs {
  return { begin: withBatchEntry(box.begin, dim, 0), size: withBatchEntry(box.size, dim, size) };
}
