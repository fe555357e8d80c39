/**
 * The small vocabulary batch rules are written in (see autodiff/batching.ts): where an operand's batch axis is, how
 * to move it, and how to line up the operands of an elementwise op. Everything here is ordinary ops on the
 * operands' physical values, so a rule built from it is recorded, differentiated and batched again (nested vmap)
 * like any other code.
 */
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import type { TensorNode } from '../autodiff/node.js';

/** The rank of one sample of `arg`: its physical rank, less the batch axis when it has one. */
export function sampleRank(arg: BatchArg): number {
  return arg.value.rank - (arg.dim === null ? 0 : 1);
}

/** The shape of one sample of `arg`. */
export function sampleShape(arg: BatchArg): number[] {
  const shape = arg.value.shape;
  return arg.dim === null ? shape.slice() : shape.filter((_, i) => i !== arg.dim);
}

/** The batch size: the size of the batch axis of the first batched operand (a batched call has one). */
export function batchSize(args: readonly BatchArg[]): number {
  for (const a of args) if (a.dim !== null) return a.value.shape[a.dim];
  throw new Error('batchSize: no operand is batched');
}

/** Where a sample's `axis` sits in a physical value whose batch axis is `dim`. */
export function physicalAxis(axis: number, dim: number): number {
  return axis < dim ? axis : axis + 1;
}

/** The batched value of `arg` with its batch axis moved to `to` (a transpose, or the value itself). */
export function moveBatchAxis(arg: BatchArg, to: number): TensorNode {
  const from = arg.dim!;
  if (from === to) return arg.value;
  const perm = arg.value.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return arg.value.transpose(perm);
}

/** `arg` with its batch axis first; an unbatched operand is repeated `size` times along a new first axis. */
export function batchFirst(arg: BatchArg, size: number): TensorNode {
  if (arg.dim !== null) return moveBatchAxis(arg, 0);
  const shape = arg.value.shape;
  return arg.value.reshape([1, ...shape]).broadcastTo([size, ...shape]);
}

/** The result `value` with its batch axis at `dim`. */
export function batched(value: TensorNode, dim: number): BatchResult {
  return { value, dim };
}

/**
 * The operands of an elementwise (broadcasting) op lined up so that the op applied to them computes every sample:
 * each batched operand gets its batch axis first and, when its samples have fewer axes than the result's, size-1
 * axes after it, so that NumPy's right-aligned broadcasting pairs sample axes with sample axes; unbatched operands
 * broadcast as they are. Operands already lined up (the usual case: all batched along the same axis, with the
 * result's rank, every unbatched one clear of the batch axis) are left where they are.
 */
export function alignElementwise(args: readonly BatchArg[]): { values: TensorNode[]; dim: number } {
  let rank = 0;
  for (const a of args) rank = Math.max(rank, sampleRank(a));
  let dim: number | null = null;
  let inPlace = true;
  for (const a of args) {
    if (a.dim === null) continue;
    if (dim === null) dim = a.dim;
    if (a.dim !== dim || sampleRank(a) !== rank) inPlace = false;
  }
  if (dim === null) throw new Error('alignElementwise: no operand is batched');
  // An unbatched operand of k axes lines up with the last k physical axes: clear of the batch axis when k <= rank - dim.
  for (const a of args) if (a.dim === null && a.value.rank > rank - dim) inPlace = false;
  if (inPlace) return { values: args.map((a) => a.value), dim };
  return { values: args.map((a) => (a.dim === null ? a.value : batchFirstPadded(a, rank))), dim: 0 };
}

/** A reduction over a sample's `axes` as one over the physical value, and where the batch axis ends up. */
export function reducedBatch(axes: readonly number[], keepDims: boolean, dim: number): { axes: number[]; dim: number } {
  const physical = axes.map((a) => physicalAxis(a, dim));
  return { axes: physical, dim: keepDims ? dim : dim - axes.filter((a) => a < dim).length };
}

/** A per-axis list of one sample (a box's begin or size) for the physical value: `value` inserted at the batch axis. */
export function withBatchEntry(list: readonly number[], dim: number, value: number): number[] {
  const out = list.slice();
  out.splice(dim, 0, value);
  return out;
}

/** `arg` unchanged but for its batch axis: moved first, with size-1 axes after it up to `rank` sample axes. */
export function batchFirstPadded(arg: BatchArg, rank: number): TensorNode {
  const front = moveBatchAxis(arg, 0);
  const missing = rank - sampleRank(arg);
  return missing === 0 ? front : front.reshape([front.shape[0], ...new Array<number>(missing).fill(1), ...front.shape.slice(1)]);
}
