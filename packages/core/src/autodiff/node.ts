/**
 * What Scalar and Tensor have in common as graph nodes: a value, a gradient, a requiresGrad flag and the
 * tape entry (OpContext) that made it. Gradient rules are written against these methods, so one rule serves
 * both kinds wherever the math is the same.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import type { DType, TypedArray } from '../ndarray/dtype.js';
import type { OpContext } from './context.js';
import type { AnyOp } from './define-op.js';
import { mode } from './mode.js';
import { brand, shared } from '../shared.js';
import { type GradHook, type RemovableHandle, addGradHook } from './hooks.js';
import type { TangentLink } from './tangents.js';
import type { ElementwiseMethods } from '../elementwise-methods.js';

/** The raw value a node holds: a number for a Scalar, an NDArray for a Tensor. */
export type RawValue = number | NDArray;

/** A node or a plain number where an op takes an operand. */
export type Operand<N extends Node = Node> = N | number;

// Display ids are given on first use and kept aside, so nodes that are never displayed carry no id field. Shared by
// every copy of the library in the process (shared.ts), so two nodes never show the same id.
const display = shared('displayIds', () => ({ next: 1, ids: new WeakMap<object, number>() }));

/** What Scalar and Tensor share as graph nodes: a value, a gradient, `requiresGrad` and the tape entry that made it. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below the class
export abstract class Node {
  /** Whether gradients flow to this node. */
  requiresGrad: boolean;
  /** @internal the tape entry as an OpContext (`creator` reads it). */
  _creator: OpContext | null = null;
  /**
   * @internal a tape entry kept in this node instead of an OpContext (a Scalar op, see entry.ts): the op,
   * its one or two inputs, its sequence number, and what forward saved (flags and version sum, as an OpContext
   * keeps them). `_inlineOp` is null for every other node.
   */
  _inlineOp: AnyOp | null = null;
  /** @internal */ _in0: Node | null = null;
  /** @internal */ _in1: Node | null = null;
  /** @internal */ _inlineSeq = 0;
  /** @internal */ _inlineFlags = 0;
  /** @internal */ _inlineVersions = 0;
  /** A display name for listings, DOT graphs and `explain`. */
  name: string | undefined;
  /** @internal for a Tensor, `mode.tensorsMade` when it was made (its order of birth); undefined for a Scalar. */
  declare readonly _born?: number;
  /** @internal accumulated gradient, read through each kind's `grad` accessor. */
  _grad: Node | null = null;
  /** @internal the gradient being gathered by the sweep that is running (in a sweep over Scalars: its slot in the sweep's sums). */
  _pending: Node | number | null = null;
  /** @internal this node's forward-mode tangents, one per `jvp` level that perturbs it (tangents.ts); null for most nodes. */
  _tangents: TangentLink | null = null;
  /**
   * @internal bumped by every in-place mutation, so backward can refuse stale saved values. A Tensor keeps it with
   * its storage, so every tensor that shares the storage (a detached alias, a stateDict entry) shares the counter.
   */
  abstract _version: number;

  constructor(requiresGrad: boolean, name?: string) {
    this.requiresGrad = requiresGrad;
    this.name = name;
  }

  /** @internal records an in-place change: backward refuses saved values of an older version. */
  _bumpVersion(): void {
    this._version++;
    mode.lastMutationSeq = mode.nextSeq;
  }

  /** A stable number for display, given on first use. */
  get id(): number {
    let id = display.ids.get(this);
    if (id === undefined) display.ids.set(this, (id = display.next++));
    return id;
  }

  /** `name` if set, else `%id`. */
  get label(): string {
    return this.name ?? `%${this.id}`;
  }

  /**
   * Registers `hook(grad)` to run when a backward has this node's whole gradient (PyTorch's `register_hook`); a
   * returned node of the same shape and dtype replaces the gradient for the rest of the sweep and for `.grad`.
   * @example
   * const h = y.registerHook((g) => g.clamp(-1, 1));   // clip the gradient flowing back through y
   * loss.backward(); h.remove();
   */
  registerHook(hook: GradHook<this>): RemovableHandle {
    return addGradHook(this, hook as unknown as GradHook);
  }

  /** The tape entry that produced this node; null for leaves and for values computed without recording. */
  get creator(): OpContext | null {
    return this._creator;
  }

  /** True when no recorded op produced this node (a parameter, an input, a constant). */
  get isLeaf(): boolean {
    return this._creator === null && this._inlineOp === null;
  }

  /** The value: a number for a Scalar, an NDArray for a Tensor. */
  abstract readonly raw: RawValue;
  /** The size of each axis (`[]` for a Scalar). */
  abstract readonly shape: readonly number[];
  /** The element type. */
  abstract readonly dtype: DType;
  /** The number of elements. */
  abstract readonly size: number;
  /** @internal a node of the same kind holding `raw`, not requiring grad. */
  abstract make(raw: RawValue): Node;
  /** @internal a plain number as an operand of this kind (weakly typed: it adopts this node's dtype). */
  abstract constant(value: number): Node;
  /**
   * @internal adds one sweep's gradient `g` into this node's `.grad`. A gradient may be shared (add hands dy
   * to both inputs), so a leaf keeps its own copy: optimisers and clipping may change a leaf's .grad in place.
   * `sole`: the sweep made `g` and handed it to this node alone (NodeSums), so a kind may take its memory instead.
   */
  _accumulateGrad(g: Node, _sole = false): void {
    this._grad = this._grad !== null ? this._grad.add(g) : this.isLeaf ? g.mul(1) : g;
  }
  /** @internal adds a gradient held as a plain number (a sweep over Scalars) into `.grad`. */
  _accumulateGradValue(g: number): void {
    this._accumulateGrad(this.make(g));
  }
  /**
   * @internal this gradient summed back to the shape of `like` (an input it was broadcast from) and cast to its
   * dtype, with differentiable ops: what the sweep does to a rule's gradient that has the output's shape.
   */
  abstract _conformTo(like: Node): Node;
  /**
   * @internal this tangent broadcast to the shape of `like` (the output it is the tangent of) and cast to its dtype,
   * with differentiable ops: what forward mode does to a rule's tangent that has an input's shape.
   */
  abstract _expandTo(like: Node): Node;
  /** A zero of the same kind, shape and dtype, not requiring grad. */
  abstract zerosLike(): Node;
  /** A short rendering of the value for listings. */
  abstract formatValue(): string;
  /** A short rendering of the accumulated gradient, or '-' when there is none. */
  formatGrad(): string {
    return this._grad === null ? '-' : this._grad.formatValue();
  }

  /** Elementwise x * x. */
  abstract square(): Node;
  /** The value as a JS number (a Tensor must hold exactly one element). */
  abstract item(): number;
}

// The elementwise methods (add, mul, exp, ...) every node kind has: declared once, in elementwise-methods.ts, and
// installed on Scalar's and Tensor's prototypes.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the subclasses install them
export interface Node extends ElementwiseMethods {}

/** `x instanceof Node`, for any copy of the library (shared.ts), without the call through Symbol.hasInstance. */
export const isNode = brand(Node, 'Node');

/**
 * What ops need of a Tensor beyond Node: its NDArray value and the layout, reduction and arithmetic methods their
 * rules are written with. Ops type against this interface, so they sit below tensor.ts (which implements it) and
 * never import the Tensor class.
 */
export interface TensorNode extends Node {
  readonly raw: NDArray;
  /** The row-major element storage. */
  readonly data: TypedArray;
  /** The number of axes. */
  readonly rank: number;
  zerosLike(): TensorNode;
  reshape(shape: readonly number[]): TensorNode;
  broadcastTo(shape: readonly number[]): TensorNode;
  transpose(perm?: readonly number[]): TensorNode;
  sum(axis?: number | readonly number[], keepDims?: boolean): TensorNode;
}
