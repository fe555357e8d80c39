// y = take(x, indices, axis) (tf.gather / np.take); dx = scatterAdd(dy, indices): rows picked twice get both gradients;
// forward ty = take(tx, indices, axis) (integer indices are never perturbed)
// Batched (vmap): with one operand batched, the same op on its batched value (the batch axis moves with the axes
// around it); with both, each sample's indices offset into its own rows of the batch, flattened into one axis.
import type { OpWithRules } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { gather as gatherKernel, scatterAdd as scatterKernel } from '../ndarray/kernels/layout.js';
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { NDArray } from '../ndarray/ndarray.js';
import { batchFirst, batchSize, moveBatchAxis, physicalAxis } from './batching.js';
import { linearPair } from './linear-pair.js';

const pair = linearPair<{ readonly axis: number }, { readonly axis: number; readonly size: number }, [TensorNode, TensorNode]>(
  {
    name: 'gather',
    forward: (ctx, x, indices) => gatherKernel(x.raw, indices.raw, ctx.attrs.axis),
    adjointAttrs: (ctx) => ({ axis: ctx.attrs.axis, size: ctx.inputs[0].shape[ctx.attrs.axis] }),
    batch(ctx, x, indices) {
      const axis = ctx.attrs.axis;
      if (indices.dim === null) {
        const at = physicalAxis(axis, x.dim!);
        return { value: gather(x.value, indices.value, { axis: at }), dim: x.dim! < at ? x.dim! : x.dim! + indices.value.rank - 1 };
      }
      if (x.dim === null) return { value: gather(x.value, indices.value, { axis }), dim: axis + indices.dim };
      return gatherEach(x, indices, axis);
    },
  },
  {
    name: 'scatterAdd',
    forward: (ctx, g, indices) => scatterKernel(g.raw, indices.raw, ctx.attrs.axis, ctx.attrs.size),
    adjointAttrs: (ctx) => ({ axis: ctx.attrs.axis }),
    batch(ctx, g, indices) {
      const { axis, size } = ctx.attrs;
      if (indices.dim !== null) return scatterEach(g, indices, axis, size);
      // With the batch axis among the axes before `axis`, the indexed axes start one later; else it goes first.
      if (g.dim! <= axis) return { value: scatterAdd(g.value, indices.value, { axis: axis + 1, size }), dim: g.dim! };
      return { value: scatterAdd(moveBatchAxis(g, 0), indices.value, { axis: axis + 1, size }), dim: 0 };
    },
  },
);
export const gather: OpWithRules<{ readonly axis: number }, [TensorNode, TensorNode]> = pair[0];
/**
 * Sums slices of g into zeros at the given indices along `axis`: the adjoint of gather (its gradient is gather, and
 * being linear, its tangent is itself applied to the tangent).
 */
export const scatterAdd: OpWithRules<{ readonly axis: number; readonly size: number }, [TensorNode, TensorNode]> = pair[1];

/** gather with both operands batched: x as [batch * n, ...] (the gathered axis after the batch), indices offset by b * n. */
export function gatherEach(x: BatchArg, indices: BatchArg, axis: number): BatchResult {
  const front = moveBatchAxis(x, 0);
  const [size, n] = [front.shape[0], front.shape[axis + 1]];
  const rest = range(1, front.rank).filter((d) => d !== axis + 1);
  const rows = front.transpose([0, axis + 1, ...rest]);
  const flat = rows.reshape([size * n, ...rows.shape.slice(2)]);
  const idx = moveBatchAxis(indices, 0);
  const picked = gather(flat, idx.add(offsets(idx, size, n)), { axis: 0 }); // [batch, ...indices, ...before, ...after]
  const k = idx.rank - 1;
  return { value: picked.transpose([0, ...range(1 + k, 1 + k + axis), ...range(1, 1 + k), ...range(1 + k + axis, picked.rank)]), dim: 0 };
}

/** scatterAdd with batched indices: g's indexed axes first, indices offset by b * size into a [batch * size, ...] sum. */
function scatterEach(g: BatchArg, indices: BatchArg, axis: number, size: number): BatchResult {
  const batch = batchSize([g, indices]);
  const front = batchFirst(g, batch);
  const idx = moveBatchAxis(indices, 0);
  const k = idx.rank - 1;
  const grads = front.transpose([0, ...range(1 + axis, 1 + axis + k), ...range(1, 1 + axis), ...range(1 + axis + k, front.rank)]);
  const summed = scatterAdd(grads, idx.add(offsets(idx, batch, size)), { axis: 0, size: batch * size });
  const split = summed.reshape([batch, size, ...summed.shape.slice(1)]); // [batch, size, ...before, ...after]
  return { value: split.transpose([0, ...range(2, 2 + axis), 1, ...range(2 + axis, split.rank)]), dim: 0 };
}

/** b * n for each sample b of a batch-first index tensor, shaped to broadcast against it. */
function offsets(idx: TensorNode, batch: number, n: number): TensorNode {
  const data = Int32Array.from({ length: batch }, (_, b) => b * n);
  return idx.make(new NDArray(data, [batch, ...new Array<number>(idx.rank - 1).fill(1)])) as TensorNode;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(to - from, 0) }, (_, i) => from + i);
}
