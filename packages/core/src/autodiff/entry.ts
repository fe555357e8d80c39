/**
 * Where a node's tape entry is, and how the engine reaches it: the one module that knows an entry has two forms.
 * - An OpContext (context.ts), in `node._creator`: every op on Tensors, ops with attributes, users' ops.
 * - Kept inline in the output Scalar (`node._inlineOp`, `_in0`, `_in1`, `_inlineSeq`, `_inlineFlags`,
 *   `_inlineVersions`): the built-in elementwise ops that Scalar's methods apply (outside anomaly mode).
 * The sweep (backward.ts) and the in-place machinery go through entrySeq / entryArity / entryInput / checkEntry /
 * entryOf / releaseEntry, never through the fields.
 *
 * Why the second form (a speed-for-clarity trade, docs/decisions.md): a micrograd-sized graph is tens of thousands
 * of one-number ops, and for each an OpContext and its inputs list are two objects besides the output node. Kept in
 * the node, an entry costs six fields, which about halves the bytes such a graph holds while it is built; the
 * garbage collector copies those bytes, and W3 of `pnpm bench` ran 2 to 2.5 times slower without it.
 *
 * Nothing outside the engine sees the difference. Scalar's `creator` moves an entry to an ordinary OpContext the
 * first time it is read; from then on the node has one. An elementwise op's forward is declared, not written (its
 * kernel and what it saves, ops/elementwise.ts), so recordInline runs the kernel's number form and records what
 * `saves` declares; the numeric sweep runs the op's gradient rule against a scratch OpContext pointed at the entry
 * (the reader), so rules are written exactly as for any other call. Running forward itself through a scratch
 * context cost W3 about 15% more (docs/decisions.md).
 */
import { NOTHING_SAVED, OpContext, RECORDING, RELEASED, SAVED_INPUTS, USES_OUTPUT } from './context.js';
import type { AnyOp } from './define-op.js';
import { mode } from './mode.js';
import type { Node } from './node.js';

const NO_OP: AnyOp = { name: 'none', forward: () => 0, backward: () => [] };

/** The context the numeric sweep reads an inline entry through. */
const reader = new OpContext(NO_OP, [], undefined, true);
const readerInputs: [Node[], Node[]] = [[], []];

function inputsList(lists: [Node[], Node[]], a: Node, b: Node | null): Node[] {
  if (b === null) {
    const one = lists[0];
    one[0] = a;
    return one;
  }
  const two = lists[1];
  two[0] = a;
  two[1] = b;
  return two;
}

// Overwritten rather than emptied: changing an array's length is a runtime call, and this runs for every op.
function forget(lists: [Node[], Node[]]): void {
  lists[0][0] = lists[1][0] = lists[1][1] = null!;
}

/** What recordInline reads of an elementwise op's definition (ops/elementwise.ts): its kernel's number form, what forward saves. */
export interface InlineOp extends AnyOp {
  readonly kernel: { scalar(a: number, b?: number): number };
  readonly saves: 'inputs' | 'output' | 'both' | 'none';
}

/**
 * Applies an elementwise op to one or two Scalars (`b` null for a unary op) with its entry kept in the output, when
 * the call is recorded (grad mode on and an input requiring grad, as `isRecorded` says); returns null (nothing done)
 * when it is not. The op's forward is its kernel's number form and what its `saves` declares (ops/elementwise.ts), so
 * both are run from the definition here, as that forward would run them.
 */
export function recordInline<N extends Node>(op: InlineOp, a: N, b: N | null): N | null {
  if (!mode.grad || !(a.requiresGrad || (b !== null && b.requiresGrad))) return null;
  const raw = b === null ? op.kernel.scalar(a.raw as number) : op.kernel.scalar(a.raw as number, b.raw as number);
  const savesInputs = op.saves === 'inputs' || op.saves === 'both';
  const out = a.make(raw) as N;
  out.requiresGrad = true;
  out._inlineOp = op;
  out._in0 = a;
  out._in1 = b;
  out._inlineSeq = mode.nextSeq++;
  out._inlineFlags = RECORDING | (savesInputs ? SAVED_INPUTS : 0) | (op.saves === 'output' || op.saves === 'both' ? USES_OUTPUT : 0);
  // As saveInputs' version sum; a new node's version is 0, so a used output adds nothing yet (OpContext._setOutput).
  out._inlineVersions = savesInputs ? a._version + (b === null ? 0 : b._version) : 0;
  return out;
}

/** The sequence number of the entry that produced `node` (which is not a leaf). */
export function entrySeq(node: Node): number {
  return node._inlineOp !== null ? node._inlineSeq : node._creator!.seq;
}

/** How many inputs the entry that produced `node` has (`node` is not a leaf). */
export function entryArity(node: Node): number {
  return node._inlineOp !== null ? (node._in1 === null ? 1 : 2) : node._creator!.inputs.length;
}

/** Input `i` of the entry that produced `node`. */
export function entryInput(node: Node, i: number): Node {
  return node._inlineOp !== null ? (i === 0 ? node._in0! : node._in1!) : node._creator!.inputs[i];
}

/** Refuses a backward through the entry that produced `node` (released, or a saved value mutated since). */
export function checkEntry(node: Node): void {
  if (node._inlineOp === null) node._creator!._checkUsable();
  // Without the reader in the usual case: not released, and recorded after the latest in-place change anywhere.
  else if ((node._inlineFlags & RELEASED) !== 0 || node._inlineSeq <= mode.lastMutationSeq) entryOf(node)._checkUsable();
}

/**
 * The entry that produced `node` (which is not a leaf), to run its rule through: its OpContext, or the reader
 * pointed at its inline entry (valid until the next call; a release through it goes back with `releaseEntry`).
 */
export function entryOf(node: Node): OpContext {
  if (node._inlineOp === null) return node._creator!;
  reader._pointAt(
    node._inlineOp,
    inputsList(readerInputs, node._in0!, node._in1),
    node,
    node._inlineSeq,
    node._inlineFlags,
    node._inlineVersions,
    NOTHING_SAVED,
  );
  return reader;
}

/** Releases what the entry that produced `node` saved: a later backward through it throws. */
export function releaseEntry(node: Node): void {
  if (node._inlineOp !== null) node._inlineFlags |= RELEASED;
  else node._creator!._release();
}

/** The op of the entry that produced `node`, or null for a leaf (read without moving an inline entry). */
export function entryOp(node: Node): AnyOp | null {
  return node._inlineOp ?? node._creator?.op ?? null;
}

/** Drops the reader's hold on the last graph it read. */
export function forgetReader(): void {
  reader._pointAt(NO_OP, [], null, 0, RECORDING, 0, NOTHING_SAVED);
  forget(readerInputs);
}

/** Moves the inline entry of `node` to an OpContext of its own (what `creator` returns from then on). */
export function moveToContext(node: Node, saved: unknown[] = NOTHING_SAVED): OpContext {
  const op = node._inlineOp!;
  const inputs = node._in1 === null ? [node._in0!] : [node._in0!, node._in1];
  const ctx = new OpContext(op, inputs, undefined, true);
  ctx._pointAt(op, inputs, node, node._inlineSeq, node._inlineFlags, node._inlineVersions, saved);
  node._creator = ctx;
  node._inlineOp = null;
  node._in0 = null;
  node._in1 = null;
  return ctx;
}
