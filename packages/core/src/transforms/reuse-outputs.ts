/**
 * Reusing the memory of a vmapped function's outputs. Outputs given back by `dispose()` or `tidy` are reused by the
 * function's next call (`reusingDisposed`), as PyTorch's allocator reuses freed memory. And vmap's `reuseOutputs`:
 * each call of the vmapped function may reuse the memory of the previous call's outputs, as
 * JAX's buffer donation lets a call reuse its arguments'. Per-sample gradients are large (the MNIST MLP's are
 * 115 MB for a batch of 128 in float32), and fresh memory that large is mapped by the C allocator and faulted in
 * (zeroed by the kernel) page by page on every call: that costs more than computing them. Reused memory is already
 * mapped.
 *
 * Safety: only a buffer the previous call allocated itself (listed by `allocate` while the call ran) and that an
 * output holds is reused, never an argument's or anything made before the call; the previous outputs' arrays are
 * made unreadable (a TransformError names what happened) before their memory is handed out, so a stale read fails
 * loudly instead of seeing the new values; an output passed back in as an argument keeps its memory.
 */
import { isBatched } from '../autodiff/batching.js';
import { TransformError, formatShape } from '../errors.js';
import { type TypedArray, donatedTo, donation, pool, recycling } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { Tensor } from '../tensor.js';

/** The outputs of a vmapped function's last call whose memory its next call may reuse: each array with its buffer. */
export type ReusableOutputs = Array<[NDArray, TypedArray]>;

/**
 * Runs `call` with the memory of `previous` (the outputs of the function's last call) given back to it in `donated`
 * (see the file comment); returns its result and the outputs the next call may reuse.
 */
export function reusingOutputs<T>(
  previous: ReusableOutputs,
  donated: TypedArray[],
  args: readonly unknown[],
  call: () => T,
): [T, ReusableOutputs] {
  const kept = new Set<TypedArray>();
  eachTensorIn(args, (raw) => kept.add(raw.data));
  // An output passed back in stays valid through this call, and is reused by the next one that does not take it.
  const carried = previous.filter(([, data]) => kept.has(data));
  for (const [raw, data] of previous) {
    // Passed back in, or already given back by dispose().
    if (kept.has(data) || donated.includes(data)) continue;
    makeUnreadable(raw);
    pool.owned.delete(data);
    donatedTo.delete(data);
    donated.push(data);
  }
  const outerMade = recycling.made;
  const made: TypedArray[] = [];
  recycling.made = made;
  try {
    const result = reusingDisposed(donated, call);
    const own = new Set(made);
    const reusable: ReusableOutputs = carried;
    eachTensorIn([result], (raw) => {
      if (own.has(raw.data)) reusable.push([raw, raw.data]);
    });
    return [result, reusable];
  } finally {
    recycling.made = outerMade;
    // Inside an outer reusing call, what this one allocated was allocated during that one too.
    if (outerMade !== null) outerMade.push(...made);
  }
}

/**
 * Runs `call` (a vmapped function without `reuseOutputs`) with `donated`, the memory of its earlier outputs given back
 * since by `dispose()` or `tidy`, offered to its allocations of the same dtype and length before the pool (whatever
 * their size: the pool keeps at most 64 MB, and per-sample gradients are larger); its outputs' arrays are marked to
 * come back to `donated` when they are released. What this call does not take goes to the garbage collector.
 */
export function reusingDisposed<T>(donated: TypedArray[], call: () => T): T {
  const outer = donation.current;
  donation.current = donated;
  try {
    const result = call();
    // Only arrays no user code was handed (a Tensor's `data` takes one out of `owned`) can ever be released.
    eachTensorIn([result], (raw) => {
      // A data property: a disposed (or unreadable) array passed through has a getter that throws instead.
      const data = Object.getOwnPropertyDescriptor(raw, 'data')?.value as TypedArray | undefined;
      if (data !== undefined && pool.owned.has(data)) donatedTo.set(data, donated);
    });
    return result;
  } finally {
    donation.current = outer;
    donated.length = 0;
  }
}

/** Calls `visit` with the CPU array of every Tensor in `values` (nested lists), a batched one's physical values. */
function eachTensorIn(values: readonly unknown[], visit: (raw: NDArray) => void): void {
  for (const v of values) {
    if (Array.isArray(v)) eachTensorIn(v, visit);
    if (!(v instanceof Tensor)) continue;
    let t: Tensor = v;
    while (isBatched(t)) t = t._physical as Tensor;
    if (t.raw.device === undefined) visit(t.raw);
  }
}

function makeUnreadable(raw: NDArray): void {
  const shape = raw.shape;
  Object.defineProperty(raw, 'data', {
    get(): never {
      throw new TransformError(
        `vmap: this tensor (shape ${formatShape(shape)}) was returned by a vmap with reuseOutputs, and its next call ` +
          `reused the memory; clone() what you keep before calling it again`,
      );
    },
  });
}
