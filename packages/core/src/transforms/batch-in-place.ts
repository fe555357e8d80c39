/**
 * In-place ops inside vmap (`assign`, `addInPlace`, `mulInPlace` on a batched tensor), as functorch allows them: a
 * batched target is changed through its physical value, every sample at once, with each operand lined up against
 * the target's physical layout; the change of the per-sample value is recorded as any in-place change is. Writing
 * per-sample values into a tensor that is the same for every sample has no meaning and is refused.
 */
import type { BatchLevel, BatchedNode } from '../autodiff/batching.js';
import { isBatched } from '../autodiff/batching.js';
import type { AnyOp } from '../autodiff/define-op.js';
import { applyInPlace, changeInPlace } from '../autodiff/in-place.js';
import type { Node, TensorNode } from '../autodiff/node.js';
import { TransformError, formatShape } from '../errors.js';
import { moveBatchAxis } from '../ops/batching.js';

/** Changes a batched `target` in place by `op` (see the file comment). */
export function applyInPlaceBatched(op: AnyOp, level: BatchLevel, target: Node, operands: readonly Node[], attrs: unknown): void {
  const at = (x: Node): x is BatchedNode => isBatched(x) && x._level === level;
  if (!at(target)) {
    throw new TransformError(
      `vmap: ${op.name} would write values that differ between samples into ${target.label} (shape ${formatShape(target.shape)}), ` +
        `which is the same for every sample; change a batched value, or compute a new one`,
    );
  }
  const rank = target.shape.length;
  const dim = target._bdim;
  const physical = operands.map((x) => lineUp(x, at(x), rank, dim));
  changeInPlace(op, target, operands, attrs, () => applyInPlace(op, target._physical, physical, attrs));
}

/** An operand as a physical value that broadcasts to the target's: its batch axis (or a size-1 axis) at `dim`. */
function lineUp(x: Node, batchedHere: boolean, rank: number, dim: number): TensorNode {
  if (batchedHere) {
    const b = x as BatchedNode;
    const front = moveBatchAxis({ value: b._physical, dim: b._bdim }, 0);
    const padded = front.reshape([front.shape[0], ...ones(rank - b.shape.length), ...b.shape]);
    return moveBatchAxis({ value: padded, dim: 0 }, dim);
  }
  const t = x as TensorNode;
  const shape = [...ones(rank - t.shape.length), ...t.shape];
  shape.splice(dim, 0, 1);
  return t.reshape(shape);
}

function ones(n: number): number[] {
  return new Array<number>(Math.max(n, 0)).fill(1);
}
