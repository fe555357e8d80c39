/**
 * The buffers a fused call keeps for its backward (tanh's output in W4: 4 MB per call), reused instead of
 * allocated again. A buffer is lent to one tape entry and only this module and that entry's side table hold it (it
 * is never in `ctx.saved`, never a node's value), so it is free exactly when the entry is released by a backward
 * (a later backward through a released entry throws before its rule runs) or has been garbage-collected. An entry
 * kept for another backward (`retainGraph`), or never swept, keeps its buffer.
 */
import { RELEASED, type OpContext } from '../autodiff/context.js';
import { type DType, type TypedArray, allocate, dtypeOfArray } from '../ndarray/dtype.js';

interface Lease {
  owner: WeakRef<OpContext>;
  readonly buffer: TypedArray;
}

/** At most this many buffers are tracked; past it, buffers are allocated and left to the garbage collector. */
const MAX_LEASES = 8;
const leases: Lease[] = [];
const keptBy = new WeakMap<OpContext, TypedArray[]>();

/** How many buffers were handed out again, and allocated (for tests and the benchmark's notes). */
export const poolStats = { reused: 0, allocated: 0 };

function isFree(lease: Lease): boolean {
  const owner = lease.owner.deref();
  return owner === undefined || (owner._flags & RELEASED) !== 0;
}

/** Lends `count` buffers of `size` elements of `dtype` to `owner` (a recorded fused call) and returns them. */
export function lendBuffers(owner: OpContext, dtype: DType, size: number, count: number): TypedArray[] {
  const buffers: TypedArray[] = [];
  for (const lease of leases) {
    if (buffers.length === count) break;
    if (lease.buffer.length === size && dtypeOfArray(lease.buffer) === dtype && isFree(lease)) {
      const before = lease.owner.deref();
      if (before !== undefined) keptBy.delete(before);
      lease.owner = new WeakRef(owner);
      buffers.push(lease.buffer);
      poolStats.reused++;
    }
  }
  while (buffers.length < count) {
    const buffer = allocate(dtype, size);
    poolStats.allocated++;
    const free = leases.findIndex(isFree);
    if (leases.length < MAX_LEASES) leases.push({ owner: new WeakRef(owner), buffer });
    else if (free >= 0) leases[free] = { owner: new WeakRef(owner), buffer };
    buffers.push(buffer);
  }
  keptBy.set(owner, buffers);
  return buffers;
}

/** The buffers lent to `owner`. */
export function keptBuffers(owner: OpContext): TypedArray[] {
  return keptBy.get(owner) ?? [];
}
