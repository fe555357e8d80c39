/**
 * In-place ops, PyTorch's way. An in-place change of a node that takes part in a recorded graph is recorded
 * itself: the node gets a new tape entry (the in-place op, whose input 0 is the node's previous version), and
 * its old entry moves to a shadow node that stands for that previous version ("rebasing", as PyTorch calls it).
 * The version counter is bumped, so an entry that saved the old value refuses to backward through it.
 *
 * Entries recorded before the change still name the node itself as an input. `inputAt` gives the sweep the
 * version such an entry saw: an input whose entry is newer than the consumer was changed in place after it, so
 * the sweep follows input 0 of the in-place entries back to the version that was current then.
 *
 * Refused with a GradError naming the op, as in PyTorch: an in-place change of a leaf that requires grad while
 * grad mode is on (its gradient would no longer describe the value). Optimisers update leaves under noGrad, or
 * write `.data` and call `markMutated()`.
 */
import { AnomalyError, GradError } from '../errors.js';
import { batching, innermostBatched } from './batching.js';
import { OpContext, forwardTraces } from './context.js';
import { type DefinedOp, type OpDefinition, type TangentSlot, isRecorded, withBackward } from './define-op.js';
import { pushTangents } from './forward.js';
import { checkFinite } from './finite.js';
import { entryInput, entrySeq } from './entry.js';
import { mode } from './mode.js';
import type { Node } from './node.js';
import { forwardMode, visibleLevels } from './tangents.js';

/**
 * An in-place op: `forward(ctx, target, ...operands)` writes the result into `target`'s storage (returning its raw
 * value); `backward` gives a gradient for the target's previous version (input 0) and for each operand.
 */
export interface InPlaceOp<Attrs> {
  (target: Node, operands: readonly Node[], attrs: Attrs): void;
  readonly definition: DefinedOp<Attrs> & TangentSlot<Attrs>;
  /** Marks an in-place op: inside vmap it changes a batched target through its physical value (no batch rule needed). */
  readonly inPlace: true;
}

/**
 * Defines an in-place op (see the file comment); calling it changes `target` and records the change when needed.
 * Its tangent rule gives the target's new tangent (in forward mode the change is applied to the tangent too).
 */
export function defineInPlaceOp<Attrs>(spec: OpDefinition<Attrs> & TangentSlot<Attrs>): InPlaceOp<Attrs> {
  const definition = withBackward(spec) as DefinedOp<Attrs> & TangentSlot<Attrs>;
  const fn = (target: Node, operands: readonly Node[], attrs: Attrs) => applyInPlace(definition, target, operands, attrs);
  return Object.assign(fn, { definition, inPlace: true as const });
}

/** Applies an in-place op: writes the result into `target`, and records the change when `target` is in a recorded graph. */
export function applyInPlace<Attrs>(op: DefinedOp<Attrs>, target: Node, operands: readonly Node[], attrs: Attrs): void {
  // Inside vmap, a batched target is changed through its physical value (transforms/batch-in-place.ts).
  const batched = batching.open !== 0 ? innermostBatched([target, ...operands]) : null;
  if (batched !== null) return batched._applyInPlaceBatched(op, target, operands, attrs);
  changeInPlace(op, target, operands, attrs, runForward);
}

/**
 * @internal the change of `target` by `op`, made by `run` against the call's context (the op's forward, or for a
 * batched target the change of its physical value), and recorded when `target` takes part in a recorded graph.
 */
export function changeInPlace<Attrs>(
  op: DefinedOp<Attrs>,
  target: Node,
  operands: readonly Node[],
  attrs: Attrs,
  run: (op: DefinedOp<Attrs>, ctx: OpContext<Attrs>) => void,
): void {
  if (mode.grad && target.requiresGrad && target.isLeaf) {
    throw new GradError(
      `${op.name}: ${target.label} is a leaf that requires grad; changing it in place while grad mode is on would make it ` +
        `a computed value that no longer gathers .grad (PyTorch refuses this too). Update it inside noGrad(() => ...), as optimisers do.`,
    );
  }
  const current = [target, ...operands];
  // The jvp levels that perturb the target or an operand: the change is applied to the target's tangent too.
  const levels = forwardMode.open !== 0 && mode.grad ? visibleLevels(current) : null;
  if (!isRecorded(current)) {
    const ctx = new OpContext(op, current, attrs, false, levels !== null);
    run(op, ctx);
    target._bumpVersion();
    if (levels !== null) pushTangents(op, ctx, target, levels);
    return;
  }
  // The previous version: a shadow sharing the storage (and so the version counter) takes over the old entry.
  const previous = target.make(target.raw);
  previous.requiresGrad = target.requiresGrad;
  previous._tangents = target._tangents;
  const old = target.creator;
  if (old !== null) {
    previous._creator = old;
    old.output = previous;
  }
  const inputs = [previous, ...operands.map((x) => (x === target ? previous : x))];
  const ctx = new OpContext(op, inputs, attrs, true, levels !== null);
  run(op, ctx);
  target._bumpVersion();
  target._creator = ctx;
  target.requiresGrad = true;
  ctx.seq = mode.nextSeq++;
  ctx._setOutput(target);
  if (levels !== null) pushTangents(op, ctx, target, levels);
  if (mode.anomaly) {
    forwardTraces.set(ctx, new Error().stack ?? '');
    checkFinite(target, (bad) => new AnomalyError(`${op.name} produced ${bad} (in place, in ${target.label})`));
  }
}

function runForward<Attrs>(op: DefinedOp<Attrs>, ctx: OpContext<Attrs>): void {
  const wasRecording = mode.grad;
  mode.grad = false;
  try {
    op.forward(ctx, ...ctx.inputs);
  } finally {
    mode.grad = wasRecording;
  }
}

/**
 * The node that an entry recorded at `seq` used as its input `x`: `x` itself, or, when `x` was changed in place
 * by a recorded op since (its entry is newer than `seq`), the version `x` had then.
 */
export function inputAt(x: Node, seq: number): Node {
  // Through the entry accessors, not `creator`: reading that would move a Scalar's inline entry to an OpContext.
  while (!x.isLeaf && entrySeq(x) > seq) x = entryInput(x, 0);
  return x;
}
