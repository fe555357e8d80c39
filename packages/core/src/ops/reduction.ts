/**
 * Reductions over `axes` (ReduceAttrs). Batched (vmap), each is the same reduction over the batched value, each
 * sample's axes shifted past the batch axis (`batchedReduction`). `reduction` makes one whose rules read its input
 * and its output (max, min, prod, norm, logSumExp): forward saves both around its kernel, and so does its batch rule.
 */
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { type OpDefinition, type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { reducedBatch } from './batching.js';
import type { ReduceAttrs } from './sum.js';

export type ReductionOp = OpWithRules<ReduceAttrs, [TensorNode]>;

/** `op` over the batched `x`, with the attributes of the call on one sample. */
export function batchedReduction(op: ReductionOp, attrs: ReduceAttrs, x: BatchArg): BatchResult {
  const { axes, dim } = reducedBatch(attrs.axes, attrs.keepDims, x.dim!);
  return { value: op(x.value, { axes, keepDims: attrs.keepDims }), dim };
}

/** A reduction whose rules read ctx.saved[0] (its input) and its output: its name, its kernel and those rules. */
export interface ReductionDefinition extends Required<Pick<OpDefinition<ReduceAttrs, [TensorNode]>, 'backward' | 'tangent'>> {
  readonly name: string;
  readonly kernel: (x: NDArray, axes: readonly number[], keepDims: boolean) => NDArray;
}

/** The op of `definition` (see the file comment). */
export function reduction({ name, kernel, backward, tangent }: ReductionDefinition): ReductionOp {
  const op: ReductionOp = defineOp({
    name,
    forward(ctx, x) {
      ctx.saveInputs();
      ctx.saveOutput();
      return kernel(x.raw, ctx.attrs.axes, ctx.attrs.keepDims);
    },
    backward,
    tangent,
    batch(ctx, x) {
      ctx.saveInputs();
      ctx.saveOutput();
      return batchedReduction(op, ctx.attrs, x);
    },
  });
  return op;
}
