/**
 * The small math interface elementwise gradient rules are written against (STYLE.md: "write each rule once
 * against a small math interface"). One rule, `gradient(m, ctx, dy)`, then serves three uses:
 * - recorded nodes, under `createGraph`: the rule's ops are taped, so gradients can be differentiated again;
 * - unrecorded nodes, in an ordinary backward over Tensors (fused kernels allowed, see `fused`);
 * - plain numbers, in an ordinary backward over Scalars: the sweep then allocates nothing per gradient (no
 *   node, no list: a rule hands each gradient to `m.inputGrad`), which is what a micrograd-sized graph needs.
 *
 * Each kind of value has one interpreter and one accumulator for the sweep's sums, side by side:
 * node-math.ts (NodeMath, NodeSums) and number-math.ts (NumberMath, NumberSums).
 */
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import { GradError } from '../errors.js';
import type { OpContext } from './context.js';
import type { Node } from './node.js';

/**
 * A gradient rule written once over a GradMath: given dL/dOutput, it hands each input that gets a gradient to
 * `m.inputGrad(i, g)` and returns nothing, so a sweep over Scalars runs it without building a list per entry.
 * `defineOp` turns it into the node `backward`; the sweep over Scalars runs it on numbers.
 */
export type GradientRule<Attrs = unknown> = <V>(m: GradMath<V>, ctx: OpContext<Attrs>, gradOutput: V) => void;

/**
 * A forward-mode rule written once over RuleMath: given the tangent of each input (null where an input is not
 * perturbed; at least one is), it returns the output's tangent, or null where it is zero. It reads saved values as
 * a gradient rule does. A tangent may have its input's shape: forward mode broadcasts it to the output's. For sin,
 * `(m, ctx, dx) => m.mul(dx!, m.cos(m.input(ctx, 0)))`; for mul, `addTangents(m, da && m.mul(da, b), db && m.mul(db, a))`.
 * Forward mode runs it on nodes (recorded when the tangent is itself differentiated) and, for Scalars, on numbers.
 */
export type TangentRule<Attrs = unknown> = <V>(m: RuleMath<V>, ctx: OpContext<Attrs>, ...inputTangents: Array<V | null>) => V | null;

/**
 * The sum of a forward rule's terms, one per perturbed input (null where an input is not perturbed): the tangent
 * of an op of several inputs is the sum of what each input's tangent contributes.
 * @example
 * // mul: dy = da * b + a * db
 * tangent: (m, ctx, da, db) => addTangents(m, da && m.mul(da, m.input(ctx, 1)), db && m.mul(db, m.input(ctx, 0)))
 */
export function addTangents<V>(m: RuleMath<V>, a: V | null, b: V | null): V | null {
  return a === null ? b : b === null ? a : m.add(a, b);
}

/**
 * The values and math a rule is written in, over values `V` (nodes, or plain numbers for Scalar sweeps). Each
 * math method computes exactly what the op of the same name computes (ops/index.ts checks the names against OPS).
 */
export interface RuleMath<V> {
  /** The i-th value forward saved (`ctx.saved[i]`). */
  input(ctx: OpContext, i: number): V;
  /** The op's output (forward must have called `ctx.saveOutput()`). */
  output(ctx: OpContext): V;
  /** a + b. */
  add(a: V, b: V | number): V;
  /** a - b. */
  sub(a: V, b: V | number): V;
  /** a * b. */
  mul(a: V, b: V | number): V;
  /** a / b. */
  div(a: V, b: V | number): V;
  /**
   * a * b as the gradient of input `i` (in mul's rule: the upstream gradient times the other operand). When
   * nothing is recorded, input `i` has one element (a scalar weight times a tensor) and `a` and `b` have the same
   * size, it is the product's sum, taken in one pass without the product array: bit for bit what the sweep's
   * summing back would give.
   */
  mulFor(ctx: OpContext, i: number, a: V, b: V): V;
  /** a ** b. */
  pow(a: V, b: V | number): V;
  /** -a. */
  neg(a: V): V;
  /** e ** a. */
  exp(a: V): V;
  /** ln a. */
  log(a: V): V;
  /** sin a. */
  sin(a: V): V;
  /** cos a. */
  cos(a: V): V;
  /** sinh a (cosh's derivative: e^a - e^-a would cancel near 0). */
  sinh(a: V): V;
  /** cosh a. */
  cosh(a: V): V;
  /** 1 / (1 + e ** -a), without overflow. */
  sigmoid(a: V): V;
  /** A constant (never differentiated) elementwise kernel result, such as the 0/1 mask `x > 0` of relu. */
  mask(kernel: BinaryKernel, a: V, b: V | number): V;
  /** A constant elementwise map, such as sign(x) in |x|'s rule. */
  map(kernel: UnaryKernel, a: V): V;
  /**
   * The kernel's result in one pass when nothing is being recorded, or null when the rule must be written in
   * differentiable ops (createGraph). A rule uses it as `m.fused(k, a, b) ?? composite`, where `k` computes the
   * composite's math (its test checks them against each other).
   */
  fused(kernel: BinaryKernel, a: V, b: V): V | null;
}

/** What a gradient rule is written in: RuleMath, and `inputGrad` to hand each input its gradient. */
export interface GradMath<V> extends RuleMath<V> {
  /**
   * Gives input `i` the gradient `g` (of the output's shape or of the input's; the sweep sums a broadcast gradient
   * back). Given twice, the two add up; an input given none gets no gradient from this op.
   */
  inputGrad(i: number, g: V): void;
}

/** The math methods of RuleMath: each is also an op of OPS (checked in ops/index.ts). */
export type RuleMathOp = Exclude<keyof RuleMath<number>, 'input' | 'output' | 'mulFor' | 'mask' | 'map' | 'fused'>;

/**
 * Where one sweep sums gradients, for one kind of value `V`: nodes (NodeSums) or plain numbers (NumberSums). The
 * sweep's loop (backward.ts) is written once against this; a node's `_pending` field is its place in the sums.
 */
export interface GradientSums<V> {
  /** The gradient summed so far for `node`, or undefined when none has reached it. */
  get(node: Node): V | undefined;
  /** Adds a gradient given as a node (a seed, or what a node `backward` returned, already checked). */
  addNode(node: Node, g: Node): void;
  /** Replaces the sum of `node` (which has one) by `g`: what a gradient hook returned. */
  set(node: Node, g: Node): void;
  /** `gy` as a node like `like`, for a rule that only has a node `backward`. */
  asNode(like: Node, gy: V): Node;
  /**
   * Runs the entry's `gradient` rule on this kind of value, adding its input gradients here, and returns true; or
   * returns false (nothing run) to have the sweep run the node `backward`.
   */
  runGradient(entry: OpContext, gy: V): boolean;
  /** With targets: their gradients (no `.grad` touched). Without: adds each sum into its node's `.grad`. */
  finish(targets: readonly Node[] | undefined): Node[];
  /** Lets go of every node the sums hold (always called, also after an error). */
  clear(): void;
}

/** @internal refuses an input index a rule's op does not have. */
export function checkIndex(ctx: OpContext, i: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < ctx.inputs.length)) {
    throw new GradError(`${ctx.op.name}: its gradient rule gave a gradient for input ${i}; the op has ${ctx.inputs.length} inputs`);
  }
}

/** @internal refuses a rule that returned something: gradients go to `m.inputGrad`, and a returned list would be lost. */
export function checkReturn(ctx: OpContext, returned: unknown): void {
  if (returned !== undefined) {
    throw new GradError(
      `${ctx.op.name}: a gradient rule hands each gradient to m.inputGrad(i, g) and returns nothing; it returned ${Array.isArray(returned) ? 'a list' : typeof returned}`,
    );
  }
}
