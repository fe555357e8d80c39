/**
 * A linear op and its adjoint, y = A x and g -> A^T g (gather and scatterAdd, takeAlongAxis and scatterAlongAxis,
 * slice and padInto, diagonal and diagonalAdjoint, avgPool2d and its adjoint): each one's gradient is the other
 * applied to dy, and each one's tangent is itself applied to the tangent (a linear map is its own derivative), so both
 * differentiate to every order. Operands after the first (indices) get neither a gradient nor a tangent. Each side
 * keeps its own forward kernel and batching rule, and says with which attributes the other side is its adjoint.
 */
import type { BatchRule } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import type { NDArray } from '../ndarray/ndarray.js';

/** One op of a linear pair: linear in its first operand, whose adjoint is the pair's other op. */
export interface LinearSide<A, B, In extends readonly [TensorNode, ...TensorNode[]]> {
  readonly name: string;
  /** The kernel: y = A x. */
  readonly forward: (ctx: OpContext<A, TensorNode>, ...inputs: In) => NDArray;
  /** The other op's attributes that make it this call's adjoint (A^T), e.g. the size of the axis to scatter into. */
  readonly adjointAttrs: (ctx: OpContext<A, TensorNode>) => B;
  readonly batch: BatchRule<A, In>;
}

/** The two ops of a linear pair, each the other's adjoint (see the file comment). */
export function linearPair<A, B, In extends readonly [TensorNode, ...TensorNode[]]>(
  first: LinearSide<A, B, In>,
  second: LinearSide<B, A, In>,
): [OpWithRules<A, In>, OpWithRules<B, In>] {
  const op = <X, Y>(side: LinearSide<X, Y, In>, adjoint: () => OpWithRules<Y, In>): OpWithRules<X, In> => {
    const self: OpWithRules<X, In> = defineOp({
      name: side.name,
      forward: side.forward,
      backward: (ctx, dy) => [apply(adjoint(), dy, ctx, side.adjointAttrs(ctx)), ...ctx.inputs.slice(1).map(() => null)],
      tangent: (_m, ctx, tx) => tx && apply(self, tx, ctx, ctx.attrs),
      batch: side.batch,
    });
    return self;
  };
  const ops: [OpWithRules<A, In>, OpWithRules<B, In>] = [op(first, () => ops[1]), op(second, () => ops[0])];
  return ops;
}

/** `op(x, ...the call's other operands, attrs)`. */
function apply<X, In extends readonly TensorNode[]>(
  op: OpWithRules<X, In>,
  x: TensorNode,
  ctx: OpContext<unknown, TensorNode>,
  attrs: X,
): TensorNode {
  return (op as unknown as (...args: unknown[]) => TensorNode)(x, ...ctx.inputs.slice(1), attrs);
}
