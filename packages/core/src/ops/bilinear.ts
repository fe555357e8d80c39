/**
 * An op linear in each of its two inputs, y = f(a, b) (matmul, and conv2d with its two adjoints): its tangent is
 * f(ta, b) + f(a, tb), each term only where its input is perturbed, so it is derived here rather than written per op.
 * `bilinear` also derives the forward of such an op whose kernel needs nothing beyond both inputs, saved for backward.
 */
import type { BatchRule } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import { type OpDefinition, type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { type RuleMath, addTangents } from '../autodiff/grad-math.js';
import type { Node, TensorNode } from '../autodiff/node.js';
import type { NDArray } from '../ndarray/ndarray.js';

/** The tangent of the bilinear op `op` at the entry `ctx`: op(ta, b) + op(a, tb), with the entry's attributes. */
export function bilinearTangent<N extends Node, Attrs>(
  m: RuleMath<N>,
  ctx: OpContext<Attrs, N>,
  op: (a: N, b: N, attrs: Attrs) => N,
  ta: N | null,
  tb: N | null,
): N | null {
  const [a, b] = ctx.inputs;
  return addTangents(m, ta && op(ta, b, ctx.attrs), tb && op(a, tb, ctx.attrs));
}

type Operands = [TensorNode, TensorNode];

/** A bilinear op: its kernel, its gradients and its batching rule (forward and tangent are derived). */
export interface BilinearDefinition<Attrs> extends Required<Pick<OpDefinition<Attrs, Operands>, 'backward'>> {
  readonly name: string;
  readonly kernel: (a: NDArray, b: NDArray, attrs: Attrs) => NDArray;
  readonly batch: BatchRule<Attrs, Operands>;
}

/** The op of `definition`: forward saves both inputs and runs the kernel; the tangent is `bilinearTangent`. */
export function bilinear<Attrs>({ name, kernel, backward, batch }: BilinearDefinition<Attrs>): OpWithRules<Attrs, Operands> {
  const op: OpWithRules<Attrs, Operands> = defineOp({
    name,
    forward(ctx, a, b) {
      ctx.saveInputs();
      return kernel(a.raw, b.raw, ctx.attrs);
    },
    backward,
    tangent: (m, ctx, ta, tb) => bilinearTangent(m, ctx, apply, ta, tb),
    batch,
  });
  // `op(a, b, attrs)`, typed by hand: an op's argument list (OpArgs) does not resolve for an Attrs still generic.
  const apply = op as unknown as (a: TensorNode, b: TensorNode, attrs: Attrs) => TensorNode;
  return op;
}
