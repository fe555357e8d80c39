/**
 * Scalar: a single JS number on the tape, micrograd style. Scalar leaves get gradients by default, and every
 * node reached by backward keeps its `.grad`, so a student can read dL/dx off any node of the graph.
 */
import { BackwardOptions, sweep } from './autodiff/backward.js';
import { Node, Operand, RawValue } from './autodiff/node.js';
import { DTypeError, GradError } from './errors.js';
import type { DType } from './ndarray/dtype.js';
import * as ops from './ops/index.js';

type ScalarOperand = Operand<Scalar>;

export interface ScalarOptions {
  /** A display name for listings, DOT graphs and `explain` (e.g. 'apple'). */
  readonly name?: string;
  /** Default true: a Scalar leaf gets a gradient, as in micrograd. */
  readonly requiresGrad?: boolean;
}

const NO_SHAPE: readonly number[] = Object.freeze([]);

export class Scalar extends Node {
  private _value: number;
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
  get value(): number { return this._value; }
  set value(v: number) {
    this._value = v;
    this._version++;
  }
  /** @internal */ get raw(): number { return this._value; }
  get shape(): readonly number[] { return NO_SHAPE; }
  get dtype(): DType { return 'float64'; }
  get size(): number { return 1; }

  /** @internal */ make(raw: RawValue): Scalar {
    if (typeof raw !== 'number') throw new DTypeError('Scalar ops produce numbers; got an array value');
    return new Scalar(raw, false);
  }
  /** @internal */ constant(value: number): Scalar { return new Scalar(value, false); }
  zerosLike(): Scalar { return new Scalar(0, false); }

  /** dL/d(this) from the backward calls so far (0 before any); set it to 0 to reset, as micrograd does. */
  get grad(): number { return this._grad !== null ? (this._grad as Scalar)._value : (this._gradValue ?? 0); }
  set grad(v: number) {
    this._grad = null;
    this._gradValue = v;
  }
  /** The gradient as a node (null before any backward): after `backward({ createGraph: true })` it can be differentiated again. */
  get gradNode(): Scalar | null {
    if (this._grad !== null) return this._grad as Scalar;
    return this._gradValue === undefined ? null : new Scalar(this._gradValue, false);
  }
  zeroGrad(): void {
    this._grad = null;
    this._gradValue = undefined;
  }
  override formatGrad(): string {
    return this._grad !== null ? this._grad.formatValue() : this._gradValue === undefined ? '-' : String(this._gradValue);
  }
  /** @internal */
  override _accumulateGrad(g: Node): void {
    if (g.creator === null && this._grad === null) this._gradValue = (this._gradValue ?? 0) + (g as Scalar)._value;
    else this._grad = (this._grad ?? new Scalar(this._gradValue ?? 0, false)).add(g);
  }

  /**
   * Runs the reverse sweep from this node with dL/dL = `seed` (default 1).
   * @example
   * const a = scalar(2); const y = a.mul(a); y.backward(); a.grad;   // 4
   */
  backward(options: BackwardOptions & { seed?: number } = {}): void {
    if (!this.requiresGrad) throw new GradError(`backward: ${this.label} does not require grad (it was computed under noGrad or from constants only)`);
    sweep({ roots: [this], seeds: [new Scalar(options.seed ?? 1, false)], ...options });
  }

  detach(): Scalar { return new Scalar(this._value, false, this.name); }
  item(): number { return this._value; }
  formatValue(): string { return String(this._value); }
  override toString(): string { return `Scalar(value=${this._value}, grad=${this.grad}${this.name ? `, name=${this.name}` : ''})`; }

  add(o: ScalarOperand): Scalar { return ops.add(this, o) as Scalar; }
  sub(o: ScalarOperand): Scalar { return ops.sub(this, o) as Scalar; }
  mul(o: ScalarOperand): Scalar { return ops.mul(this, o) as Scalar; }
  div(o: ScalarOperand): Scalar { return ops.div(this, o) as Scalar; }
  pow(o: ScalarOperand): Scalar { return ops.pow(this, o) as Scalar; }
  maximum(o: ScalarOperand): Scalar { return ops.maximum(this, o) as Scalar; }
  minimum(o: ScalarOperand): Scalar { return ops.minimum(this, o) as Scalar; }
  neg(): Scalar { return ops.neg(this) as Scalar; }
  exp(): Scalar { return ops.exp(this) as Scalar; }
  log(): Scalar { return ops.log(this) as Scalar; }
  sqrt(): Scalar { return ops.sqrt(this) as Scalar; }
  square(): Scalar { return this.mul(this); }
  abs(): Scalar { return ops.abs(this) as Scalar; }
  sin(): Scalar { return ops.sin(this) as Scalar; }
  cos(): Scalar { return ops.cos(this) as Scalar; }
  tanh(): Scalar { return ops.tanh(this) as Scalar; }
  sigmoid(): Scalar { return ops.sigmoid(this) as Scalar; }
  relu(): Scalar { return ops.relu(this) as Scalar; }
  leakyRelu(slope = 0.01): Scalar { return ops.leakyRelu(this, { slope }) as Scalar; }
  softplus(): Scalar { return ops.softplus(this) as Scalar; }
  clamp(min?: number, max?: number): Scalar { return ops.clamp(this, { min, max }) as Scalar; }
}

/**
 * A Scalar leaf. It requires grad unless told otherwise.
 * @example
 * const apple = scalar(100, { name: 'apple' });
 */
export function scalar(value: number, options: ScalarOptions = {}): Scalar {
  return new Scalar(value, options.requiresGrad ?? true, options.name);
}
