/**
 * The small math interface elementwise gradient rules are written against (STYLE.md: "write each rule once
 * against a small math interface"). One rule, `gradient(m, ctx, dy)`, then serves three uses:
 * - recorded nodes, under `createGraph`: the rule's ops are taped, so gradients can be differentiated again;
 * - unrecorded nodes, in an ordinary backward over Tensors (fused kernels allowed, see `fused`);
 * - plain numbers, in an ordinary backward over Scalars: the sweep then allocates no node per gradient,
 *   which is what makes a micrograd-sized scalar graph as cheap as a hand-written closure engine.
 */
import { BinaryKernel, binary } from '../ndarray/kernels/binary.js';
import { UnaryKernel, sigmoidNumber, unary } from '../ndarray/kernels/unary.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { floatResult } from '../ndarray/dtype.js';
import type { OpContext } from './context.js';
import { mode } from './mode.js';
import { Node } from './node.js';

/**
 * A gradient rule written once over a GradMath: given dL/dOutput, one gradient per input (null where none).
 * `defineOp` turns it into the node `backward`; the sweep over Scalars runs it on numbers.
 */
export type GradientRule<Attrs = any> = <V>(m: GradMath<V>, ctx: OpContext<Attrs>, gradOutput: V) => ReadonlyArray<V | null | undefined>;

/** The operations a gradient rule may use, over values `V` (nodes, or plain numbers for Scalar sweeps). */
export interface GradMath<V> {
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

/** The rules over graph nodes: recorded when grad mode is on (createGraph), plain node math otherwise. */
export const nodeMath: GradMath<Node> = {
  input: (ctx, i) => ctx.saved[i] as Node,
  output: (ctx) => ctx.output!,
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow: (a, b) => a.pow(b),
  neg: (a) => a.neg(),
  log: (a) => a.log(),
  sin: (a) => a.sin(),
  cos: (a) => a.cos(),
  sigmoid: (a) => a.sigmoid(),
  mask(kernel, a, b) {
    const ra = a.raw;
    const rb = asNode(a, b).raw;
    if (typeof ra === 'number') return a.make(kernel.scalar(ra, rb as number));
    // In the dtype of `a`, so a 0/1 mask does not promote the gradient it multiplies.
    return a.make(binary(kernel, ra, rb as NDArray, floatResult(ra.dtype)));
  },
  map(kernel, a) {
    const r = a.raw;
    return a.make(typeof r === 'number' ? kernel.scalar(r) : unary(kernel, r));
  },
  fused(kernel, a, b) {
    if (mode.grad) return null;
    const ra = a.raw;
    return a.make(typeof ra === 'number' ? kernel.scalar(ra, b.raw as number) : binary(kernel, ra, b.raw as NDArray));
  },
};

/** The same rules on plain numbers: what a sweep over Scalars runs when it only needs gradient values. */
export const numberMath: GradMath<number> = {
  input(ctx, i) {
    const v = ctx.saved[i] as unknown;
    return v instanceof Node ? (v.raw as number) : (v as number);
  },
  output: (ctx) => ctx.output!.raw as number,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  neg: (a) => -a,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  sigmoid: sigmoidNumber,
  mask: (kernel, a, b) => kernel.scalar(a, b),
  map: (kernel, a) => kernel.scalar(a),
  fused: (kernel, a, b) => kernel.scalar(a, b),
};
