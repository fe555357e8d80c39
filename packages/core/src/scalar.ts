/**
 * Scalar: a single JS number on the tape, micrograd style. Scalar leaves get gradients by default, and every
 * node reached by backward keeps its `.grad`, so a student can read dL/dx off any node of the graph.
 */
import { type BackwardOptions, sweep } from './autodiff/backward.js';
import { Node, type Operand, type RawValue } from './autodiff/node.js';
import { DTypeError, GradError } from './errors.js';
import type { DType } from './ndarray/dtype.js';
import * as ops from './ops/index.js';
import { ELEMENTWISE_TABLES, type ElementwiseMethods, installOpMethods } from './elementwise-methods.js';
import type { OpContext } from './autodiff/context.js';
import { entryOp, moveToContext, recordInline } from './autodiff/entry.js';
import { mode } from './autodiff/mode.js';
import { forwardMode } from './autodiff/tangents.js';
import { tangentInline } from './autodiff/forward.js';
import type { BinaryOp, UnaryOp } from './ops/elementwise.js';
import { gradFnName } from './graph.js';
import { brand } from './shared.js';

type ScalarOperand = Operand<Scalar>;

/** Options of `scalar(...)`. */
export interface ScalarOptions {
  /** A display name for listings, DOT graphs and `explain` (e.g. 'apple'). */
  readonly name?: string;
  /** Default true: a Scalar leaf gets a gradient, as in micrograd. */
  readonly requiresGrad?: boolean;
}

const NO_SHAPE: readonly number[] = Object.freeze([]);

/**
 * A single JS number on the tape (micrograd style); make one with `scalar(...)`.
 * @example
 * const a = scalar(3); const y = a.mul(a); y.backward(); a.grad;   // 6
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below the class
export class Scalar extends Node {
  private _value: number;
  /** @internal see Node._version. */
  _version = 0;
  // Gradients without a graph are kept as a plain number (as micrograd does), so a swept graph does not
  // retain a gradient object per node; `_grad` holds a node only when the gradient carries a graph (createGraph).
  private _gradValue: number | undefined = undefined;

  /** @internal use `scalar(...)`. */
  constructor(value: number, requiresGrad = true, name?: string) {
    super(requiresGrad, name);
    if (typeof value !== 'number') throw new DTypeError(`scalar: value must be a number, got ${typeof value}`);
    this._value = value;
  }

  /** The forward value. Assigning it (as an optimiser step does) counts as an in-place change. */
  get value(): number {
    return this._value;
  }
  /** Sets the value in place (as an optimiser step does); bumps the version. */
  set value(v: number) {
    this._value = v;
    this._bumpVersion();
  }
  /** @internal */ get raw(): number {
    return this._value;
  }
  /** The tape entry that produced this Scalar; null for leaves and for values computed without recording. */
  override get creator(): OpContext | null {
    // An entry kept in the node (see entry.ts) becomes an OpContext when first asked for.
    return this._inlineOp !== null ? moveToContext(this) : this._creator;
  }
  /** Always `[]`: a Scalar is 0-dimensional. */
  get shape(): readonly number[] {
    return NO_SHAPE;
  }
  /** Always 'float64'. */
  get dtype(): DType {
    return 'float64';
  }
  /** Always 1. */
  get size(): number {
    return 1;
  }

  /** @internal */ make(raw: RawValue): Scalar {
    if (typeof raw !== 'number') throw new DTypeError('Scalar ops produce numbers; got an array value');
    return new Scalar(raw, false);
  }
  /** @internal */ constant(value: number): Scalar {
    return new Scalar(value, false);
  }
  zerosLike(): Scalar {
    return new Scalar(0, false);
  }
  /** @internal a Scalar gradient already has a Scalar's shape and dtype. */
  _conformTo(): Scalar {
    return this;
  }
  /** @internal a Scalar tangent already has a Scalar's shape and dtype. */
  _expandTo(): Scalar {
    return this;
  }

  /** dL/d(this) from the backward calls so far (0 before any); set it to 0 to reset, as micrograd does. */
  get grad(): number {
    return this._grad !== null ? (this._grad as Scalar)._value : (this._gradValue ?? 0);
  }
  /** Overwrites the accumulated gradient (0 clears it). */
  set grad(v: number) {
    this._grad = null;
    this._gradValue = v;
  }
  /** The gradient as a node (null before any backward): after `backward({ createGraph: true })` it can be differentiated again. */
  get gradNode(): Scalar | null {
    if (this._grad !== null) return this._grad as Scalar;
    return this._gradValue === undefined ? null : new Scalar(this._gradValue, false);
  }
  /** Resets the accumulated gradient to 0. */
  zeroGrad(): void {
    this._grad = null;
    this._gradValue = undefined;
  }
  override formatGrad(): string {
    return this._grad !== null ? this._grad.formatValue() : this._gradValue === undefined ? '-' : String(this._gradValue);
  }
  /** @internal */
  override _accumulateGrad(g: Node): void {
    if (g.isLeaf && this._grad === null) this._gradValue = (this._gradValue ?? 0) + (g as Scalar)._value;
    else this._grad = (this._grad ?? new Scalar(this._gradValue ?? 0, false)).add(g);
  }

  /** @internal */
  override _accumulateGradValue(g: number): void {
    if (this._grad === null) this._gradValue = (this._gradValue ?? 0) + g;
    else this._accumulateGrad(new Scalar(g, false));
  }

  /**
   * Runs the reverse sweep from this node with dL/dL = `seed` (default 1).
   * @example
   * const a = scalar(2); const y = a.mul(a); y.backward(); a.grad;   // 4
   */
  backward(options: BackwardOptions & { seed?: number } = {}): void {
    if (!this.requiresGrad)
      throw new GradError(`backward: ${this.label} does not require grad (it was computed under noGrad or from constants only)`);
    sweep({ roots: [this], seeds: [new Scalar(options.seed ?? 1, false)], ...options });
  }

  /** A leaf with the same value that does not require grad (the graph is cut here). */
  detach(): Scalar {
    return new Scalar(this._value, false, this.name);
  }
  /** The value as a JS number (a Tensor must hold exactly one element). */
  item(): number {
    return this._value;
  }
  formatValue(): string {
    return String(this._value);
  }
  /**
   * The value and gradient as micrograd prints them, then the function that computes its gradient (PyTorch's
   * `grad_fn`), `requiresGrad=false` for a constant, and its name.
   * @example
   * String(scalar(3, { name: 'a' }).mul(2));   // "Scalar(value=6, grad=0, gradFn=<MulBackward>)"
   */
  override toString(): string {
    // Read without `creator`, which would move an inline entry into an OpContext just to print its name.
    const op = entryOp(this);
    const gradFn = op !== null ? `, gradFn=<${gradFnName(op.name)}>` : '';
    const constant = this.requiresGrad ? '' : ', requiresGrad=false';
    return `Scalar(value=${this._value}, grad=${this.grad}${gradFn}${constant}${this.name !== undefined ? `, name='${this.name}'` : ''})`;
  }
  /** What `console.log` and `util.inspect` show in Node: `toString()`, not the internal fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // Scalar graphs are tens of thousands of one-number ops, so the op function's generic part (argument parsing,
  // operand checks, the attribute test) costs more than the math: a method that knows its operands are Scalars
  // applies the op itself (recordInline), and when nothing is recorded (as in every backward rule outside
  // createGraph) runs the forward's kernel alone; while a jvp runs, an input that carries a tangent makes the output
  // carry one (tangentInline, on numbers, or the op function). Anomaly mode and other operands take the op function.
  private binary(op: BinaryOp, o: ScalarOperand): Scalar {
    const other = isScalar(o) ? o : typeof o === 'number' ? new Scalar(o, false) : null;
    if (other === null || mode.anomaly) return op(this, o);
    if (forwardMode.open !== 0 && (this._tangents !== null || other._tangents !== null)) {
      return (tangentInline(op.definition, this, other) as Scalar | null) ?? op(this, o);
    }
    return recordInline(op.definition, this, other) ?? new Scalar(op.definition.kernel.scalar(this._value, other._value), false);
  }

  private unary(op: UnaryOp): Scalar {
    if (mode.anomaly) return op(this);
    if (forwardMode.open !== 0 && this._tangents !== null) return (tangentInline(op.definition, this, null) as Scalar | null) ?? op(this);
    return recordInline(op.definition, this, null) ?? new Scalar(op.definition.kernel.scalar(this._value), false);
  }

  /** Elementwise x * x. */
  square(): Scalar {
    return this.mul(this);
  }
  /** Elementwise x > 0 ? x : slope * x; the derivative at 0 is slope. */
  leakyRelu(slope = 0.01): Scalar {
    return ops.leakyRelu(this, { slope });
  }
  /** Elementwise min(max(x, min), max); the bounds themselves pass the gradient. */
  clamp(min?: number, max?: number): Scalar {
    return ops.clamp(this, { min, max });
  }

  static {
    installOpMethods<Scalar, UnaryOp, BinaryOp>(this.prototype, ELEMENTWISE_TABLES, {
      unary: (op) =>
        function (this: Scalar) {
          return this.unary(op);
        },
      binary: (op) =>
        function (this: Scalar, other: ScalarOperand) {
          return this.binary(op, other);
        },
    });
  }
}

// The elementwise methods (add, mul, tanh, ...): declared once, in elementwise-methods.ts, and installed on the
// prototype by the static block above.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- installed, not declared, in the class
export interface Scalar extends ElementwiseMethods {}

/** `x instanceof Scalar`, for any copy of the library (shared.ts), without the call through Symbol.hasInstance. */
const isScalar = brand(Scalar, 'Scalar');

/**
 * A Scalar leaf. It requires grad unless told otherwise.
 * @example
 * const apple = scalar(100, { name: 'apple' });
 */
export function scalar(value: number, options: ScalarOptions = {}): Scalar {
  return new Scalar(value, options.requiresGrad ?? true, options.name);
}
