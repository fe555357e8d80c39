/**
 * Batching (`vmap`), as the engine sees it. Inside `vmap(f)` each batched argument is a batched tensor: a Tensor
 * whose shape is one sample's (what `f` was written for), standing for a physical value that holds every sample
 * along its batch axis. When an op is applied to one, the op's `batch` rule runs instead of its forward: it gets
 * each operand's physical value and batch axis (null for an operand that is the same for every sample) and
 * computes the whole batch at once with ordinary ops, which is why the ops a gradient rule calls, applied to
 * batched values, are batched too, and `vmap(grad(f))` is one batched pass.
 *
 * Each `vmap` call opens a level; a value batched at an older level may be the physical value of one batched at a
 * newer level (nested vmap), so an op is batched at the newest level among its operands, and the rule's own ops
 * then meet the older levels in turn. The batched tensor itself lives above the ops (transforms/batched-tensor.ts);
 * the engine reaches it only through the BatchedNode methods below.
 */
import { TransformError } from '../errors.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { shared } from '../shared.js';
import type { OpContext } from './context.js';
import type { AnyOp, NodeKind } from './define-op.js';
import type { Node, TensorNode } from './node.js';

/** One `vmap` call: the size of its batch, and whether it is still running. */
export interface BatchLevel {
  /** Increasing in the order levels were opened: a newer (inner) vmap has a larger id. */
  readonly id: number;
  /** The batch size. */
  readonly size: number;
  /** False once its vmap has returned: a batched value of a closed level has escaped it. */
  open: boolean;
}

// One state for every copy of the library in the process (shared.ts), like grad mode.
export const batching = shared('batching', () => ({
  /** How many levels are open: the one check an op makes when no vmap is running. */
  open: 0,
  nextId: 1,
}));

/** One operand of a batched call: its value with the batch axis in it at `dim`, or (`dim` null) the same value for every sample. */
export interface BatchArg {
  readonly value: TensorNode;
  readonly dim: number | null;
}

/** What a batch rule returns: the batched result, its batch axis at `dim`. */
export interface BatchResult {
  readonly value: TensorNode;
  readonly dim: number;
}

/** The operands of a batched call, one BatchArg per input of the op. */
export type BatchArgs<In extends readonly Node[]> = { readonly [I in keyof In]: BatchArg };

/**
 * An op's batching rule (`batch` beside `forward`, `backward` and `tangent`): given each operand's batched value,
 * computes the op for every sample at once with ordinary ops, and saves on `ctx`, as forward does, what the op's
 * backward reads (`ctx.saveInputs()`, `ctx.saveOutput()`, `ctx.save(...)`: the call's inputs and output are the
 * per-sample, batched nodes). `'loop'` opts into the fallback: the op applied once per sample. A rule returns null,
 * before saving anything, for a combination of batched operands it has no batched form for: that call loops (and
 * warns once, naming the op), as an op without a rule would.
 */
// Declared as a method, so that (as forward and backward are) it is checked bivariantly: an op's definition then
// stays assignable to the engine's untyped view of every op.
export type BatchRule<Attrs = undefined, In extends readonly Node[] = readonly Node[]> = {
  rule(ctx: OpContext<Attrs, NodeKind<In>>, ...args: BatchArgs<In>): BatchResult | null;
}['rule'];

/** What a batched tensor offers the engine (transforms/batched-tensor.ts implements it). */
export interface BatchedNode extends TensorNode {
  /** The level this value is batched at. */
  readonly _level: BatchLevel;
  /** The batch axis of the physical value. */
  readonly _bdim: number;
  /** The physical value: every sample, along `_bdim`. */
  readonly _physical: TensorNode;
  /** Another value batched at this node's level: `physical`, its batch axis at `dim`. */
  _wrap(physical: TensorNode, dim: number): TensorNode;
  /** Applies `op` to `inputs` (some batched at this node's level) by the op's batch rule: the call's output. */
  _applyBatched(op: AnyOp, ctx: OpContext, inputs: readonly Node[]): Node;
  /** Applies an in-place op whose target or operands are batched at this node's level. */
  _applyInPlaceBatched(op: AnyOp, target: Node, operands: readonly Node[], attrs: unknown): void;
  /** A constant (never differentiated) elementwise result of `inputs`, `compute` applied to aligned physical values. */
  _constant(inputs: readonly Node[], compute: (...raws: NDArray[]) => NDArray): Node;
}

/** Whether `x` is a batched tensor (of any level). */
export function isBatched(x: unknown): x is BatchedNode {
  return (x as { _level?: unknown })._level !== undefined;
}

/**
 * The operand batched at the newest level among `inputs`, or null when none is batched; refuses a batched value
 * whose vmap has returned (it escaped, through a closure or a side effect).
 */
export function innermostBatched(inputs: ArrayLike<Node>): BatchedNode | null {
  let found: BatchedNode | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (!isBatched(x)) continue;
    if (!x._level.open) throw escapedError(x.shape);
    if (found === null || x._level.id > found._level.id) found = x;
  }
  return found;
}

/** `compute` over `inputs` as a constant node, batched when an input is; null when none is (the caller computes it). */
export function batchedConstant(inputs: readonly Node[], compute: (...raws: NDArray[]) => NDArray): Node | null {
  if (batching.open === 0) return null;
  const b = innermostBatched(inputs);
  return b === null ? null : b._constant(inputs, compute);
}

/** The error for a batched value of a vmap that has returned (it escaped, through a closure or a side effect). */
export function escapedError(shape: readonly number[]): TransformError {
  return new TransformError(
    `vmap: a batched value (shape [${shape.join(', ')}] per sample) was used after its vmap returned; it escaped through a ` +
      `closure or a side effect. Return it from the function instead.`,
  );
}
