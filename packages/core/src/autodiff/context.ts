/**
 * The tape entry: one call of an op, what its forward saved for backward, and (when recorded) its place on the
 * tape. As in early tinygrad, "an instance of a Function is the context": the context forward runs against is
 * the entry the sweep later runs the op's rule against. Ops themselves are made by `defineOp` (define-op.ts).
 */
import { DisposedError, GradError, formatShape } from '../errors.js';
import type { DefinedOp } from './define-op.js';
import { mode } from './mode.js';
import { type Node, isNode } from './node.js';
import { brand, shared } from '../shared.js';

// The bits of `_flags`; entry.ts reads those it keeps in a Scalar.
/** @internal */ export const RECORDING = 1;
/** @internal */ export const RELEASED = 2;
/** @internal */ export const USES_OUTPUT = 4;
/** @internal */ export const SAVED_INPUTS = 8;
/**
 * @internal a call that is not recorded but whose saves are read anyway: forward mode's tangent rules read them, and
 * so does the backward of a call vmap ran as a loop over samples.
 */
export const KEEPS_SAVES = 16;
/** @internal forward mode's name for KEEPS_SAVES. */
export const KEEPS_FOR_TANGENTS = KEEPS_SAVES;

/** Where each recorded op's forward was called, kept only in anomaly mode. */
export const forwardTraces = shared('forwardTraces', () => new WeakMap<OpContext, string>());

/** One call of an op: what forward saved for backward, and, when recorded, the op's tape entry. */
export class OpContext<Attrs = unknown, N extends Node = Node> {
  static {
    brand(this, 'OpContext');
  }
  /** Position on the tape; 0 until recorded. */
  seq = 0;
  /** The node this call produced (set once the output exists). */
  output: N | null = null;
  // Recorded contexts live as long as the graph: keep them small (flags in one field, no per-call arrays).
  /** @internal */ _flags: number;
  /** @internal what `save(...)` kept (NOTHING_SAVED when forward saved nothing of its own). */
  _saved: unknown[] = NOTHING_SAVED;
  // Versions only grow, so an unchanged sum means no saved node (nor a used output) was mutated.
  /** @internal */ _versionSum = 0;

  constructor(
    /** The op this call applies. */
    readonly op: DefinedOp<Attrs, readonly N[]>,
    /** The inputs, numbers already turned into nodes. */
    readonly inputs: readonly N[],
    /** The trailing plain object passed to the op function (options that get no gradient). */
    readonly attrs: Attrs,
    recording: boolean,
    /** Keep what forward saves even when the call is not recorded (forward mode, or vmap's loop, reads it). */
    keepsSaves = false,
  ) {
    this._flags = (recording ? RECORDING : 0) | (keepsSaves ? KEEPS_SAVES : 0);
  }

  /** Whether this call is being recorded on the tape (false under noGrad or when no input requires grad). */
  get recording(): boolean {
    return (this._flags & RECORDING) !== 0;
  }

  /** Whether each input requires grad: a rule may skip work for the others. */
  get needsInputGrad(): boolean[] {
    return this.inputs.map((x) => x.requiresGrad);
  }

  /** Whether input `i` requires grad (as `needsInputGrad[i]`, without building the list). */
  needsGrad(i: number): boolean {
    return this.inputs[i].requiresGrad;
  }

  /** Keeps values for backward. Nodes among them are version-checked: mutating one in place before backward is an error. */
  save(...items: unknown[]): void {
    if ((this._flags & (RECORDING | KEEPS_SAVES)) === 0) return;
    this._saved = items;
    this._versionSum = versionSum(items);
  }

  /** Saves exactly the inputs, in order (cheaper than `save(...inputs)`: no second list is kept). */
  saveInputs(): void {
    if ((this._flags & (RECORDING | KEEPS_SAVES)) === 0) return;
    this._flags |= SAVED_INPUTS;
    this._versionSum = versionSum(this.inputs);
  }

  /** Declares that backward reads `ctx.output` (as exp, tanh and sigmoid do), so it is version-checked too. */
  saveOutput(): void {
    this._flags |= USES_OUTPUT;
  }

  /**
   * What forward saved, in order, typed as the op's nodes (what ops save: inputs, outputs, nodes made from them; an
   * op that saves something else reads it back with a cast). Throws once the graph has been released by a backward
   * without retainGraph.
   */
  get saved(): readonly N[] {
    if ((this._flags & RELEASED) !== 0) throw releasedError(this);
    return ((this._flags & SAVED_INPUTS) !== 0 ? this.inputs : this._saved) as readonly N[];
  }

  private savedNodes(): readonly unknown[] {
    return (this._flags & SAVED_INPUTS) !== 0 ? this.inputs : this._saved;
  }

  private currentVersionSum(): number {
    const out = this.output;
    return versionSum(this.savedNodes()) + ((this._flags & USES_OUTPUT) !== 0 && out !== null ? out._version : 0);
  }

  /**
   * @internal refuses a backward through this entry: its saved values released by an earlier backward, or mutated
   * in place since forward. Every sweep calls it before the entry's rule runs.
   */
  _checkUsable(): void {
    if ((this._flags & RELEASED) !== 0) throw releasedError(this);
    if (this.seq > mode.lastMutationSeq || this.currentVersionSum() === this._versionSum) return;
    const saved = this.savedNodes().filter(isNode);
    if ((this._flags & USES_OUTPUT) !== 0 && this.output) saved.push(this.output);
    const gone = saved.find((n) => (n.raw as { _disposed?: boolean })._disposed);
    if (gone) throw new DisposedError(`${this.op.name}: backward needs ${describe(gone)}, which was disposed`);
    throw new GradError(
      `${this.op.name}: a value it saved for backward was modified in place after the forward pass ` +
        `(saved: ${saved.map(describe).join('; ')}); backward would give a wrong gradient. ` +
        `Clone it before mutating, or mutate after backward.`,
    );
  }

  /** @internal drops saved values; a later backward through this entry throws. */
  _release(): void {
    this._flags |= RELEASED;
    this._saved = NOTHING_SAVED;
  }

  /**
   * @internal makes this context describe another call: a scratch context that forward runs against, or that a
   * rule reads an entry kept inline in a Scalar through (see entry.ts). `op` and `inputs` are readonly to
   * everyone else.
   */
  _pointAt(
    op: DefinedOp<Attrs, readonly N[]>,
    inputs: readonly N[],
    output: N | null,
    seq: number,
    flags: number,
    versionSum: number,
    saved: unknown[],
  ): void {
    const self = this as { op: DefinedOp<Attrs, readonly N[]>; inputs: readonly N[] };
    self.op = op;
    self.inputs = inputs;
    this.output = output;
    this.seq = seq;
    this._flags = flags;
    this._versionSum = versionSum;
    this._saved = saved;
  }

  /** @internal */
  _setOutput(out: N): void {
    this.output = out;
    if ((this._flags & USES_OUTPUT) !== 0) this._versionSum += out._version;
  }
}

/** @internal what `_saved` holds when forward saved nothing of its own. */
export const NOTHING_SAVED: unknown[] = [];

function versionSum(items: readonly unknown[]): number {
  let sum = 0;
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (isNode(v)) sum += v._version;
  }
  return sum;
}

function describe(n: Node): string {
  return `${n.label}, shape ${formatShape(n.shape)}, ${n.dtype}`;
}

function releasedError(ctx: OpContext): GradError {
  return new GradError(
    `${ctx.op.name}: backward through a graph whose saved values were already released by an earlier backward; ` +
      `pass { retainGraph: true } to the first backward if you need to go through the graph twice.`,
  );
}
