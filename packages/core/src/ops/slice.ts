// y = x[begin : begin + size] (a box); dx = dy placed into zeros of x's shape at `begin` (pad, its adjoint);
// forward ty = tx[begin : begin + size] (both ops are linear: each one's tangent is itself applied to the tangent)
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { pad as padKernel, slice as sliceKernel } from '../ndarray/kernels/layout.js';

export interface BoxAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

export const slice: OpWithTangent<BoxAttrs, [TensorNode]> = defineOp<BoxAttrs, [TensorNode]>({
  name: 'slice',
  forward: (ctx, x) => sliceKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy) => [padInto(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
  tangent: (_m, ctx, tx) => slice(tx!, ctx.attrs),
});

/** Zero-pads x into a box of shape `size` at offset `begin`; its gradient slices that box back out. */
export const padInto: OpWithTangent<BoxAttrs, [TensorNode]> = defineOp<BoxAttrs, [TensorNode]>({
  name: 'padInto',
  forward: (ctx, x) => padKernel(x.raw, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy) => [slice(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
  tangent: (_m, ctx, tx) => padInto(tx!, ctx.attrs),
});
