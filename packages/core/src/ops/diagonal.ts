// y[..., k] = x[..., k, ..., k + offset, ...] over axes axis1 and axis2 (torch.diagonal: the diagonal becomes the last
// axis). y is linear in x: dx = diagonalAdjoint(dy), dy placed on that diagonal of zeros of x's shape; the adjoint is
// linear too, with diagonal as its own adjoint, so every order is differentiable. Forward mode: each op on the tangent.
// Batched (vmap): each op on the batched value with its batch axis first, the axes and shape shifted past it.
import type { OpWithRules } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { diagonalArray } from '../ndarray/kernels/diagonal.js';
import type { BatchArg } from '../autodiff/batching.js';
import { moveBatchAxis } from './batching.js';
import { linearPair } from './linear-pair.js';

export interface DiagonalAttrs {
  readonly axis1: number;
  readonly axis2: number;
  readonly offset: number;
  /** The shape of the array the diagonal is taken from. */
  readonly shape: readonly number[];
}

const pair = linearPair<DiagonalAttrs, DiagonalAttrs, [TensorNode]>(
  {
    name: 'diagonal',
    forward: (ctx, x) => diagonalArray(x.raw, ctx.attrs.shape, ctx.attrs.axis1, ctx.attrs.axis2, ctx.attrs.offset, false),
    adjointAttrs: (ctx) => ctx.attrs,
    batch: (ctx, x) => ({ value: diagonal(moveBatchAxis(x, 0), batchedAttrs(ctx.attrs, x)), dim: 0 }),
  },
  {
    name: 'diagonalAdjoint',
    forward: (ctx, g) => diagonalArray(g.raw, ctx.attrs.shape, ctx.attrs.axis1, ctx.attrs.axis2, ctx.attrs.offset, true),
    adjointAttrs: (ctx) => ctx.attrs,
    batch: (ctx, g) => ({ value: diagonalAdjoint(moveBatchAxis(g, 0), batchedAttrs(ctx.attrs, g)), dim: 0 }),
  },
);
export const diagonal: OpWithRules<DiagonalAttrs, [TensorNode]> = pair[0];
/** The adjoint of diagonal: its input placed on the diagonal of zeros of `shape`. */
export const diagonalAdjoint: OpWithRules<DiagonalAttrs, [TensorNode]> = pair[1];

/** The attributes of either op for a batched value with its batch axis first: the axes one later, the batch prepended. */
function batchedAttrs(attrs: DiagonalAttrs, arg: BatchArg): DiagonalAttrs {
  const size = arg.value.shape[arg.dim!];
  return { ...attrs, axis1: attrs.axis1 + 1, axis2: attrs.axis2 + 1, shape: [size, ...attrs.shape] };
}
