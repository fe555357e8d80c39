/**
 * Explicit memory scopes, as TensorFlow.js users know them: `tidy(fn)` disposes every tensor made while `fn` runs
 * except those it returns (and those `keep` marks, and a leaf's `.grad` while it is that); `t.dispose()` disposes
 * one. A disposed tensor's array goes back to the buffer pool (ndarray/dtype.ts) when nothing else can read it: the
 * last tensor holding the array was disposed, `allocate` made it and no user code was handed it (`data`). Reading a
 * disposed tensor throws a DisposedError naming the op, never another tensor's values (docs/decisions.md, "Output
 * memory").
 */
import { DisposedError, formatShape } from './errors.js';
import { mode } from './autodiff/mode.js';
import { releaseArray } from './ndarray/dtype.js';
import type { NDArray } from './ndarray/ndarray.js';
import type { Tensor } from './tensor.js';

/** @internal the tensors of the innermost running tidy (null outside any), which each new Tensor joins. */
export const scope = { tensors: null as Tensor[] | null };
const keptForever = new WeakSet<Tensor>();
/** The leaf whose `.grad` each gradient made inside a tidy became (see keepAsGrad). */
const gradOf = new WeakMap<Tensor, { readonly _grad: unknown }>();

/**
 * Runs `fn` and disposes every tensor made while it runs, except the tensors in what it returns (a tensor, or arrays
 * and plain objects of them), which then belong to the enclosing tidy if there is one. Also when `fn` throws: every
 * tensor it made is disposed and the error goes on. `fn` must be synchronous: an async fn's tensors are disposed at
 * its first `await`, and reading one after it throws a DisposedError.
 * @example
 * const loss = tidy(() => {
 *   const l = model.forward(x).sub(y).square().mean();   // intermediates disposed on return
 *   l.backward();                                         // leaves keep their .grad
 *   return l;
 * });
 */
export function tidy<T>(fn: () => T): T {
  const outer = scope.tensors;
  const mine: Tensor[] = [];
  scope.tensors = mine;
  const returned = new Set<Tensor>();
  try {
    const result = fn();
    tensorsIn(result, returned);
    return result;
  } finally {
    scope.tensors = outer;
    for (const t of mine) {
      if (returned.has(t) || keptForever.has(t) || gradOf.get(t)?._grad === t) {
        if (outer !== null && t._scope === mine) {
          t._scope = outer;
          outer.push(t);
        }
      } else t.dispose();
    }
  }
}

/**
 * Marks `t` to outlive every tidy it was made in (TensorFlow.js's `tf.keep`): it is disposed only by `t.dispose()`.
 * @example
 * let kept: Tensor | null = null;
 * tidy(() => { kept = keep(x.mul(2)); });
 */
export function keep<T extends Tensor>(t: T): T {
  keptForever.add(t);
  return t;
}

/**
 * @internal `grad` outlives the tidys it was made in for as long as it is `leaf`'s `.grad` (a backward's gradient
 * belongs to the leaf, as PyTorch's .grad does): one the leaf has let go of by the tidy's end (zeroGrad, a later
 * backward's sum, `leaf.grad = ...`) is an ordinary tensor of that tidy, disposed with the rest, and its memory goes
 * back to the pool for the next step's gradient (issue 18: W1's 800 KB dW1 was new memory every step).
 */
export function keepAsGrad(grad: Tensor, leaf: { readonly _grad: unknown }): void {
  gradOf.set(grad, leaf);
}

function tensorsIn(value: unknown, into: Set<Tensor>): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) for (const v of value as unknown[]) tensorsIn(v, into);
  else if ((value as Tensor)._scope !== undefined) {
    into.add(value as Tensor);
    // Its gradient, made by a backward inside, goes with it.
    if ((value as Tensor).grad !== null) into.add((value as Tensor).grad!);
  } else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) tensorsIn(v, into);
}

// One prototype per array class whose `data` throws: a disposed array's stand-in inherits from it.
const disposedPrototypes = new WeakMap<object, object>();

function throwDisposed(this: NDArray & { _holder: { readonly label: string } }): never {
  throw new DisposedError(`${this._holder.label} ${formatShape(this.shape)} was disposed (by dispose() or tidy)`);
}

/**
 * @internal disposes `array`, held by the tensor `holder`: returns its stand-in, whose elements cannot be read (a
 * DisposedError naming `holder`), and gives the memory to the pool when this was the array's last holder. Entries
 * recorded before now look at their saved values again (as after an in-place change), so a backward through one fails
 * by name.
 */
export function disposeArray(array: NDArray, holder: { readonly label: string }): NDArray {
  // The stand-in copies the array's fields (shape, dtype, device, ...) but `data`, which its prototype makes throw.
  // Not Object.create(array): making a live array a prototype cost ~7 us a disposal, 3% of a W1 step (issue 18).
  const proto = Object.getPrototypeOf(array) as object;
  let disposed = disposedPrototypes.get(proto);
  if (disposed === undefined) disposedPrototypes.set(proto, (disposed = Object.create(proto, { data: { get: throwDisposed } }) as object));
  const gone = Object.create(disposed) as Record<string, unknown>;
  const fields = array as unknown as Record<string, unknown>;
  for (const key of Object.keys(array)) if (key !== 'data') gone[key] = fields[key];
  gone._version = array._version + 1;
  gone._disposed = true;
  // The holder, not its label: a label numbers an unnamed tensor on first use (a WeakMap entry per tensor, 0.6% of a
  // W1 step and more collector work when every disposal made one); it is read only if the stand-in is.
  gone._holder = holder;
  mode.lastMutationSeq = mode.nextSeq;
  // A data property: the array of one made unreadable (vmap's reuseOutputs) or on a device has none, and is not ours.
  const data = Object.getOwnPropertyDescriptor(array, 'data')?.value as NDArray['data'] | undefined;
  if (--array._holders === 0 && data !== undefined && array.device === undefined) releaseArray(data);
  return gone as unknown as NDArray;
}
