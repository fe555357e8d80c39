/**
 * Ops whose output is a 0/1 mask (comparisons, logical ops, isNaN, isFinite): forward is the kernel, in the
 * operands' promoted dtype; the output never requires grad, whatever its inputs do, as PyTorch's bool results
 * (a step function's derivative is 0 wherever it has one, so no gradient or tangent flows through a mask). The op
 * runs with recording off, so the tape and forward mode never see it; its rules exist for the OPS table only.
 */
import type { BatchResult } from '../autodiff/batching.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { noGrad } from '../autodiff/mode.js';
import type { Node, RawValue, TensorNode } from '../autodiff/node.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import { alignElementwise } from './batching.js';
import { binaryRaw, unaryRaw } from './elementwise.js';

/** A mask op of one operand (`x.isNaN()`). */
export type UnaryPredicate = OpWithRules<undefined, [Node]>;
/** A mask op of two operands, broadcasting (`a.lt(b)`). */
export type BinaryPredicate = OpWithRules<undefined, [Node, Node]>;

/** The mask op of a predicate kernel, named after it. */
export function predicate(kernel: UnaryKernel): UnaryPredicate;
export function predicate(kernel: BinaryKernel): BinaryPredicate;
export function predicate(kernel: UnaryKernel | BinaryKernel): UnaryPredicate | BinaryPredicate {
  const op: OpWithRules<undefined, readonly Node[]> = defineOp({
    name: kernel.name,
    forward: (_ctx, ...xs): RawValue => (kernel.arity === 1 ? unaryRaw(kernel, xs[0]) : binaryRaw(kernel, xs[0], xs[1])),
    backward: (ctx) => ctx.inputs.map(() => null),
    tangent: () => null,
    // Batched (vmap): the same mask of the operands lined up as any elementwise op's.
    batch(_ctx, ...xs): BatchResult {
      const { values, dim } = alignElementwise(xs);
      return { value: (op as unknown as (...v: TensorNode[]) => TensorNode)(...values), dim };
    },
  });
  const fn = (...operands: unknown[]): Node => noGrad(() => (op as unknown as (...xs: unknown[]) => Node)(...operands));
  return Object.assign(fn, { definition: op.definition }) as unknown as BinaryPredicate;
}
