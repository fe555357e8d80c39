// y = x[begin : begin + size] (a box); dx = dy placed into zeros of x's shape at `begin` (pad, its adjoint)
import { InputGrads, OpFunction, defineOp } from '../autodiff/define-op.js';
import type { Tensor } from '../tensor.js';
import { pad as padKernel, slice as sliceKernel } from '../ndarray/kernels/layout.js';
import type { NDArray } from '../ndarray/ndarray.js';

export interface BoxAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

export const slice: OpFunction<BoxAttrs> = defineOp<BoxAttrs>({
  name: 'slice',
  forward: (ctx, x: Tensor) => sliceKernel(x.raw as NDArray, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy: Tensor): InputGrads => [padInto(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
});

/** Zero-pads x into a box of shape `size` at offset `begin`; its gradient slices that box back out. */
export const padInto: OpFunction<BoxAttrs> = defineOp<BoxAttrs>({
  name: 'padInto',
  forward: (ctx, x: Tensor) => padKernel(x.raw as NDArray, ctx.attrs.begin, ctx.attrs.size),
  backward: (ctx, dy: Tensor): InputGrads => [slice(dy, { begin: ctx.attrs.begin, size: ctx.inputs[0].shape })],
});
