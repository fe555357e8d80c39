/**
 * The small math interface elementwise gradient rules are written against (STYLE.md: "write each rule once
 * against a small math interface"). One rule, `gradient(m, ctx, dy)`, then serves three uses:
 * - recorded nodes, under `createGraph`: the rule's ops are taped, so gradients can be differentiated again;
 * - unrecorded nodes, in an ordinary backward over Tensors (fused kernels allowed, see `fused`);
 * - plain numbers, in an ordinary backward over Scalars: the sweep then allocates nothing per gradient (no
 *   node, no list: a rule hands each gradient to `m.inputGrad`), which is what a micrograd-sized graph needs.
 */
import { BinaryKernel, binary } from '../ndarray/kernels/binary.js';
import { UnaryKernel, sigmoidNumber, unary } from '../ndarray/kernels/unary.js';
import { NDArray } from '../ndarray/ndarray.js';
import { allocate, floatResult, resultType } from '../ndarray/dtype.js';
import { sumOfProducts } from '../ndarray/kernels/reduce.js';
import type { OpContext } from './context.js';
import { mode } from './mode.js';
import { Node } from './node.js';
import { GradError } from '../errors.js';

/**
 * A gradient rule written once over a GradMath: given dL/dOutput, it hands each input that gets a gradient to
 * `m.inputGrad(i, g)` and returns nothing, so a sweep over Scalars runs it without building a list per entry.
 * `defineOp` turns it into the node `backward`; the sweep over Scalars runs it on numbers.
 */
export type GradientRule<Attrs = any> = <V>(m: GradMath<V>, ctx: OpContext<Attrs>, gradOutput: V) => void;

/** The operations a gradient rule may use, over values `V` (nodes, or plain numbers for Scalar sweeps). */
export interface GradMath<V> {
  /**
   * Gives input `i` the gradient `g` (of the output's shape or of the input's; the sweep sums a broadcast gradient
   * back). Given twice, the two add up; an input given none gets no gradient from this op.
   */
  inputGrad(i: number, g: V): void;
  /** The i-th value forward saved (`ctx.saved[i]`). */
  input(ctx: OpContext<any>, i: number): V;
  /** The op's output (forward must have called `ctx.saveOutput()`). */
  output(ctx: OpContext<any>): V;
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
  mulFor(ctx: OpContext<any>, i: number, a: V, b: V): V;
  /** a ** b. */
  pow(a: V, b: V | number): V;
  /** -a. */
  neg(a: V): V;
  /** ln a. */
  log(a: V): V;
  /** sin a. */
  sin(a: V): V;
  /** cos a. */
  cos(a: V): V;
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

function asNode(like: Node, b: Node | number): Node {
  return typeof b === 'number' ? like.constant(b) : b;
}

/** A constant elementwise kernel result over nodes: `kernel(a, b)`, not requiring grad. */
export function maskNode(kernel: BinaryKernel, a: Node, b: Node | number): Node {
  const ra = a.raw;
  const rb = asNode(a, b).raw;
  if (typeof ra === 'number') return a.make(kernel.scalar(ra, rb as number));
  // In the dtype of `a`, so a 0/1 mask does not promote the gradient it multiplies.
  return a.make(binary(kernel, ra, rb as NDArray, floatResult(ra.dtype)));
}

/** Refuses an input index a rule's op does not have. */
function checkIndex(ctx: OpContext, i: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < ctx.inputs.length)) {
    throw new GradError(`${ctx.op.name}: its gradient rule gave a gradient for input ${i}; the op has ${ctx.inputs.length} inputs`);
  }
}

/**
 * @internal runs `rule` over nodes for one call and returns its gradients, one per input (null where none): the
 * node `backward` that `defineOp` derives. Recorded when grad mode is on (createGraph).
 */
export function nodeGradients(rule: GradientRule, ctx: OpContext, dy: Node): Array<Node | null> {
  const m = new NodeMath(ctx);
  checkReturn(ctx, rule(m, ctx, dy));
  return m.grads;
}

/** @internal refuses a rule that returned something: gradients go to `m.inputGrad`, and a returned list would be lost. */
export function checkReturn(ctx: OpContext, returned: unknown): void {
  if (returned !== undefined) {
    throw new GradError(
      `${ctx.op.name}: a gradient rule hands each gradient to m.inputGrad(i, g) and returns nothing; it returned ${Array.isArray(returned) ? 'a list' : typeof returned}`,
    );
  }
}

/** The rules over graph nodes: recorded when grad mode is on (createGraph), plain node math otherwise. */
class NodeMath implements GradMath<Node> {
  readonly grads: Array<Node | null>;

  constructor(private readonly ctx: OpContext) {
    this.grads = ctx.inputs.map(() => null);
  }

  inputGrad(i: number, g: Node): void {
    checkIndex(this.ctx, i);
    const before = this.grads[i];
    this.grads[i] = before === null ? g : before.add(g);
  }
  input(ctx: OpContext, i: number): Node {
    return ctx.saved[i] as Node;
  }
  output(ctx: OpContext): Node {
    return ctx.output!;
  }
  add(a: Node, b: Node | number): Node {
    return a.add(b);
  }
  sub(a: Node, b: Node | number): Node {
    return a.sub(b);
  }
  mul(a: Node, b: Node | number): Node {
    return a.mul(b);
  }
  div(a: Node, b: Node | number): Node {
    return a.div(b);
  }
  mulFor(ctx: OpContext, i: number, a: Node, b: Node): Node {
    const like = ctx.inputs[i];
    const ra = a.raw;
    const rb = b.raw;
    if (mode.grad || like.size !== 1 || typeof ra === 'number' || typeof rb === 'number' || ra.size !== rb.size) return a.mul(b);
    const dtype = resultType(ra, rb);
    if (dtype === 'int32') return a.mul(b);
    const out = allocate(dtype, 1);
    out[0] = sumOfProducts(ra.data, rb.data, dtype);
    return a.make(new NDArray(out, like.shape));
  }
  pow(a: Node, b: Node | number): Node {
    return a.pow(b);
  }
  neg(a: Node): Node {
    return a.neg();
  }
  log(a: Node): Node {
    return a.log();
  }
  sin(a: Node): Node {
    return a.sin();
  }
  cos(a: Node): Node {
    return a.cos();
  }
  sigmoid(a: Node): Node {
    return a.sigmoid();
  }
  mask(kernel: BinaryKernel, a: Node, b: Node | number): Node {
    return maskNode(kernel, a, b);
  }
  map(kernel: UnaryKernel, a: Node): Node {
    const r = a.raw;
    return a.make(typeof r === 'number' ? kernel.scalar(r) : unary(kernel, r));
  }
  fused(kernel: BinaryKernel, a: Node, b: Node): Node | null {
    if (mode.grad) return null;
    const ra = a.raw;
    return a.make(typeof ra === 'number' ? kernel.scalar(ra, b.raw as number) : binary(kernel, ra, b.raw as NDArray));
  }
}

/** Where the numeric sweep keeps gradient sums. */
export interface NumberSink {
  add(node: Node, g: number): void;
}

/**
 * @internal the same rules on plain numbers: what a sweep over Scalars runs when it only needs gradient values.
 * One per sweep; `entry` is the call whose rule runs, and `inputGrad` adds into the sweep's sums directly.
 */
export class NumberMath implements GradMath<number> {
  entry: OpContext | null = null;

  constructor(private readonly sink: NumberSink) {}

  inputGrad(i: number, g: number): void {
    const entry = this.entry!;
    const x = entry.inputs[i];
    if (x === undefined) checkIndex(entry, i);
    if (x.requiresGrad) this.sink.add(x, g);
  }
  input(ctx: OpContext, i: number): number {
    const v = ctx.saved[i] as unknown;
    return v instanceof Node ? (v.raw as number) : (v as number);
  }
  output(ctx: OpContext): number {
    return ctx.output!.raw as number;
  }
  add(a: number, b: number): number {
    return a + b;
  }
  sub(a: number, b: number): number {
    return a - b;
  }
  mul(a: number, b: number): number {
    return a * b;
  }
  div(a: number, b: number): number {
    return a / b;
  }
  mulFor(_ctx: OpContext, _i: number, a: number, b: number): number {
    return a * b;
  }
  pow(a: number, b: number): number {
    return Math.pow(a, b);
  }
  neg(a: number): number {
    return -a;
  }
  log(a: number): number {
    return Math.log(a);
  }
  sin(a: number): number {
    return Math.sin(a);
  }
  cos(a: number): number {
    return Math.cos(a);
  }
  sigmoid(a: number): number {
    return sigmoidNumber(a);
  }
  mask(kernel: BinaryKernel, a: number, b: number): number {
    return kernel.scalar(a, b);
  }
  map(kernel: UnaryKernel, a: number): number {
    return kernel.scalar(a);
  }
  fused(kernel: BinaryKernel, a: number, b: number): number {
    return kernel.scalar(a, b);
  }
}
