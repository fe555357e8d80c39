// y = x[begin : begin + size] (a box); dx = dy placed into zeros of x's shape at `begin` (pad, its adjoint);
// forward ty = tx[begin : begin + size] (both ops are linear: each one's tangent is itself applied to the tangent)
// Batched (vmap), both: the same box with the whole batch axis added to it.
import type { OpWithRules } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { pad as padKernel, slice as sliceKernel } from '../ndarray/kernels/layout.js';
import { withBatchEntry } from './batching.js';
import { linearPair } from './linear-pair.js';

export interface BoxAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

const pair = linearPair<BoxAttrs, BoxAttrs, [TensorNode]>(
  {
    name: 'slice',
    forward: (ctx, x) => sliceKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
    adjointAttrs: (ctx) => ({ begin: ctx.attrs.begin, size: ctx.inputs[0].shape }),
    batch: (ctx, x) => ({ value: slice(x.value, batchedBox(ctx.attrs, x.dim!, x.value.shape[x.dim!])), dim: x.dim! }),
  },
  {
    name: 'padInto',
    forward: (ctx, x) => padKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
    adjointAttrs: (ctx) => ({ begin: ctx.attrs.begin, size: ctx.inputs[0].shape }),
    batch: (ctx, x) => ({ value: padInto(x.value, batchedBox(ctx.attrs, x.dim!, x.value.shape[x.dim!])), dim: x.dim! }),
  },
);
export const slice: OpWithRules<BoxAttrs, [TensorNode]> = pair[0];
/** Zero-pads x into a box of shape `size` at offset `begin`: slice's adjoint (its gradient slices that box back out). */
export const padInto: OpWithRules<BoxAttrs, [TensorNode]> = pair[1];

/** A sample's box as a box of the batched value: the whole batch axis (`size` long, at `dim`) added. */
function batchedBox(box: BoxAttrs, dim: number, size: number): BoxAttrs {
  return { begin: withBatchEntry(box.begin, dim, 0), size: withBatchEntry(box.size, dim, size) };
}
