/**
 * `vmap(f, { inAxes, outAxes })`: `f` written for one sample, run on a batch of them at once, with JAX's semantics.
 * Each argument with an axis in `inAxes` is handed to `f` as a batched tensor (one sample's shape; batching.ts),
 * every op applied to one runs its batch rule on the whole batch, and each output comes back with the batch along
 * `outAxes`. An output that does not depend on a batched argument is repeated along the batch axis, as in JAX.
 */
import { type BatchLevel, batching, isBatched } from '../autodiff/batching.js';
import { Node } from '../autodiff/node.js';
import { ShapeError, TransformError, formatShape } from '../errors.js';
import type { TypedArray } from '../ndarray/dtype.js';
import { describeValue } from '../ndarray/shape.js';
import { moveBatchAxis } from '../ops/batching.js';
import { tensor } from '../creation.js';
import { Scalar } from '../scalar.js';
import { Tensor } from '../tensor.js';
import { BatchedTensor } from './batched-tensor.js';
import { type ReusableOutputs, reusingDisposed, reusingOutputs } from './reuse-outputs.js';

/** Options of `vmap`. */
export interface VmapOptions {
  /**
   * The batch axis of each argument (negative counts from the end), or null for an argument that is the same for
   * every sample: one number for every argument, or one entry per argument (default 0). An entry applies to every
   * Tensor in a list argument.
   */
  readonly inAxes?: number | readonly (number | null)[];
  /** Where the batch axis goes in every output (negative counts from the end; default 0). */
  readonly outAxes?: number;
  /**
   * Let each call reuse the memory of the previous call's outputs (default false), as JAX's buffer donation does:
   * large results, such as per-sample gradients, then need no fresh memory (which the system maps and zeroes page
   * by page) on every call. So the outputs of a call are valid until the next call: then they become unreadable
   * (reading one throws a TransformError), except one passed back in as an argument. `clone()` what you keep. An
   * output's `.data` array, if you hold on to it, is not guarded: it sees the next call's values. The vmapped
   * function holds the last outputs' memory until its next call. Without it, the outputs you dispose (`dispose()`,
   * or `tidy` around each step) are what the next call reuses: nothing you keep is ever overwritten.
   */
  readonly reuseOutputs?: boolean;
}

/** What a vmapped function may return: a Tensor (or a Scalar), or a list (nested) of them. */
export type VmapOutputs = Node | readonly VmapOutputs[];

/** The type of a vmapped output: each node of `T` becomes a Tensor (with the batch axis), lists kept. */
export type Batched<T> = 0 extends 1 & T
  ? Untyped
  : T extends Node
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Batched<T[K]> }
      : Tensor;

// What vmap of a function typed `any` (today's `grad`) returns: as untyped as that function.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped = any;

/**
 * Vectorizes `f` over a batch axis: `vmap(f)(xs)` stacks `f(x)` for each sample `x` of `xs` along axis 0, computed
 * in one batched pass, not a loop. `vmap(grad(loss), { inAxes: [null, 0, 0] })(w, xs, ys)` gives per-sample
 * gradients. vmap nests, and composes with grad both ways.
 * @typeParam F - the function's type: the vmapped function takes its arguments, and returns its outputs batched.
 * @example
 * const norms = vmap((x: Tensor) => x.square().sum().sqrt())(tensor([[3, 4], [6, 8]]));   // [5, 10]
 * const perSample = vmap(grad((w: Tensor, x: Tensor) => x.matmul(w).square().sum()), { inAxes: [null, 0] })(w, xs);
 * const step = vmap(grad(loss), { inAxes: [null, 0], reuseOutputs: true });   // each call reuses the last one's memory
 */
export function vmap<F extends (...args: any[]) => VmapOutputs>(
  f: F,
  options: VmapOptions = {},
): (...args: Parameters<F>) => Batched<ReturnType<F>> {
  const outAxis = options.outAxes ?? 0;
  if (!Number.isInteger(outAxis)) throw new TransformError(`vmap: outAxes must be an integer, got ${String(outAxis)}`);
  const call = (args: unknown[]): unknown => {
    const axes = inAxesFor(options.inAxes, args.length);
    const size = batchSizeOf(args, axes);
    const level: BatchLevel = { id: batching.nextId++, size, open: true };
    batching.open++;
    try {
      const inputs = args.map((a, i) => (axes[i] === null ? a : batchArgument(a, axes[i], level)));
      const out = f(...inputs);
      return unbatchOutputs(out, level, outAxis, []);
    } finally {
      level.open = false;
      batching.open--;
    }
  };
  // The memory of this function's outputs given back to it (reuse-outputs.ts).
  const donated: TypedArray[] = [];
  if (!options.reuseOutputs) return (...args: unknown[]) => reusingDisposed(donated, () => call(args)) as Batched<ReturnType<F>>;
  let previous: ReusableOutputs = [];
  return (...args: unknown[]) => {
    const last = previous;
    previous = [];
    const [result, reusable] = reusingOutputs(last, donated, args, () => call(args));
    previous = reusable;
    return result as Batched<ReturnType<F>>;
  };
}

/** One axis (or null) per argument, checked. */
function inAxesFor(inAxes: VmapOptions['inAxes'], count: number): Array<number | null> {
  const list = inAxes === undefined ? 0 : inAxes;
  if (typeof list === 'number') {
    checkAxisEntry(list, 'inAxes');
    return new Array<number | null>(count).fill(list);
  }
  if (!Array.isArray(list)) throw new TransformError(`vmap: inAxes must be a number or a list of (number | null), got ${describe(list)}`);
  if (list.length !== count)
    throw new TransformError(`vmap: inAxes has ${list.length} entries, but the function was called with ${count} arguments`);
  list.forEach((a, i) => {
    if (a !== null) checkAxisEntry(a, `inAxes[${i}]`);
  });
  if (list.every((a) => a === null))
    throw new TransformError('vmap: inAxes is null for every argument; at least one must have a batch axis');
  return (list as ReadonlyArray<number | null>).slice();
}

function checkAxisEntry(a: unknown, where: string): void {
  if (typeof a !== 'number' || !Number.isInteger(a))
    throw new TransformError(`vmap: ${where} must be an integer or null, got ${describe(a)}`);
}

/** Calls `visit` on every Tensor of a batched argument (a Tensor, or a list of them), refusing anything else. */
function eachTensor(a: unknown, path: string, visit: (t: Tensor, path: string) => void): void {
  if (a instanceof Tensor) return visit(a, path);
  if (Array.isArray(a)) return a.forEach((x, k) => eachTensor(x, `${path}[${k}]`, visit));
  throw new TransformError(
    `vmap: ${path} has a batch axis but is ${describe(a)}; only Tensors (or lists of them) can be batched (give it inAxes null)`,
  );
}

/** The common size of the batch axes; each axis is checked against its argument's shape. */
function batchSizeOf(args: readonly unknown[], axes: ReadonlyArray<number | null>): number {
  const sizes: Array<[string, number]> = [];
  args.forEach((a, i) => {
    const axis = axes[i];
    if (axis === null) return;
    eachTensor(a, `argument ${i}`, (t, path) => sizes.push([path, t.shape[normalizeBatchAxis(axis, t, path, i)]]));
  });
  const [firstPath, size] = sizes[0];
  const other = sizes.find(([, s]) => s !== size);
  if (other !== undefined) {
    throw new ShapeError(
      `vmap: the batch axes differ in size: ${sizes.map(([p, s]) => `${p} has ${s}`).join(', ')} ` +
        `(${firstPath} and ${other[0]} disagree)`,
    );
  }
  return size;
}

function normalizeBatchAxis(axis: number, t: Tensor, path: string, i: number): number {
  const a = axis < 0 ? axis + t.rank : axis;
  if (a < 0 || a >= t.rank) {
    const entry = `inAxes${Array.isArray(t) ? '' : `[${i}]`}`;
    throw new ShapeError(`vmap: ${entry} = ${axis} is out of range for ${path} of shape ${formatShape(t.shape)} (rank ${t.rank})`);
  }
  return a;
}

function batchArgument(a: unknown, axis: number, level: BatchLevel): unknown {
  if (a instanceof Tensor) return new BatchedTensor(a, axis < 0 ? axis + a.rank : axis, level, a.name);
  return (a as unknown[]).map((x) => batchArgument(x, axis, level));
}

/** Each output as a Tensor with the batch along `outAxis` (see the file comment). */
function unbatchOutputs(out: unknown, level: BatchLevel, outAxis: number, path: number[]): unknown {
  if (Array.isArray(out)) return out.map((o, k) => unbatchOutputs(o, level, outAxis, [...path, k]));
  const where = path.length === 0 ? 'the output' : `output ${path.map((k) => `[${k}]`).join('')}`;
  if (!(out instanceof Node))
    throw new TransformError(`vmap: the function must return a Tensor or a list of them; ${where} is ${describe(out)}`);
  if (out instanceof Scalar) {
    if (out.requiresGrad)
      throw new TransformError(`vmap: ${where} is a Scalar that requires grad; vmap returns Tensors, so return tensor-valued results`);
    return unbatchOutputs(tensor(out.value), level, outAxis, path);
  }
  const t = out as Tensor;
  const rank = t.rank + 1;
  const axis = outAxis < 0 ? outAxis + rank : outAxis;
  if (axis < 0 || axis >= rank)
    throw new ShapeError(
      `vmap: outAxes ${outAxis} is out of range for ${where}, of shape ${formatShape(t.shape)} per sample (rank ${rank} batched)`,
    );
  if (isBatched(t) && t._level === level) return moveBatchAxis({ value: t._physical, dim: t._bdim }, axis);
  if (isBatched(t) && !t._level.open)
    throw new TransformError(`vmap: ${where} is a batched value of a vmap that has returned; it escaped that vmap`);
  // Not batched at this level: the same for every sample, repeated along the batch axis (as JAX does).
  const shape = t.shape.slice();
  shape.splice(axis, 0, level.size);
  return t.unsqueeze(axis).broadcastTo(shape);
}

/**
 * Every value behind `t`, for a check that must see them all (labels within the classes, probabilities within
 * [0, 1]): `t`'s own values outside vmap; inside vmap, where a batched tensor's values cannot be read, every
 * sample's values at once (the whole batch, in no promised order). For checks only: compute with `t`'s ops, never
 * with these values, or the result will not be batched.
 * @example
 * const checkLabels = (labels: Tensor, classes: number) => {
 *   if (valuesForCheck(labels).some((k) => k < 0 || k >= classes)) throw new ShapeError('a label is out of range');
 * };
 * vmap((y: Tensor) => (checkLabels(y, 3), y.add(1)))(tensor([[0, 2], [1, 1]], { dtype: 'int32' }));   // checked inside vmap
 */
export function valuesForCheck(t: Tensor): TypedArray {
  if (!(t instanceof Tensor)) throw new TransformError(`valuesForCheck: expected a Tensor, got ${describe(t)}`);
  let values: Tensor = t;
  // Nested vmaps: the physical value of an inner level is itself batched at an outer one.
  while (isBatched(values)) values = values._physical as Tensor;
  return values.data;
}

function describe(x: unknown): string {
  if (x instanceof Node) return `a ${x.constructor.name}`;
  if (Array.isArray(x)) return `a list of ${x.length}`;
  return typeof x === 'number' ? `number ${x}` : describeValue(x);
}
