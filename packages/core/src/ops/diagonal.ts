// y[..., k] = x[..., k, ..., k + offset, ...] over axes axis1 and axis2 (torch.diagonal: the diagonal becomes the last
// axis). y is linear in x: dx = diagonalAdjoint(dy), dy placed on that diagonal of zeros of x's shape; the adjoint is
// linear too, with diagonal as its own adjoint, so every order is differentiable. Forward mode: each op on the tangent.
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { diagonalArray } from '../ndarray/kernels/diagonal.js';

export interface DiagonalAttrs {
  readonly axis1: number;
  readonly axis2: number;
  readonly offset: number;
  /** The shape of the array the diagonal is taken from. */
  readonly shape: readonly number[];
}

export const diagonal: OpWithTangent<DiagonalAttrs, [TensorNode]> = defineOp<DiagonalAttrs, [TensorNode]>({
  name: 'diagonal',
  forward: (ctx, x) => diagonalArray(x.raw, ctx.attrs.shape, ctx.attrs.axis1, ctx.attrs.axis2, ctx.attrs.offset, false),
  backward: (ctx, dy) => [diagonalAdjoint(dy, ctx.attrs)],
  tangent: (_m, ctx, tx) => diagonal(tx!, ctx.attrs),
});

/** The adjoint of diagonal: its input placed on the diagonal of zeros of `shape`. */
export const diagonalAdjoint: OpWithTangent<DiagonalAttrs, [TensorNode]> = defineOp<DiagonalAttrs, [TensorNode]>({
  name: 'diagonalAdjoint',
  forward: (ctx, g) => diagonalArray(g.raw, ctx.attrs.shape, ctx.attrs.axis1, ctx.attrs.axis2, ctx.attrs.offset, true),
  backward: (ctx, h) => [diagonal(h, ctx.attrs)],
  tangent: (_m, ctx, tg) => diagonalAdjoint(tg!, ctx.attrs),
});
