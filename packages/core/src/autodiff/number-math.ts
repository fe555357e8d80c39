/**
 * Gradients as plain numbers: what a backward over Scalars runs when it only wants gradient values (no createGraph,
 * no explain, no anomaly mode). An op's `gradient` rule runs on numbers through NumberMath, and hands each input's
 * gradient straight into the sweep's sums; an op with only a node `backward` (a user's op) gets its upstream
 * gradient as a Scalar and hands back Scalars, whose values are taken. Same entries, same order, same sums as over
 * nodes, so the same gradients, bit for bit.
 *
 * A micrograd-sized graph is tens of thousands of tiny entries, so what costs here is memory traffic and garbage,
 * not arithmetic (measured on W3 of `pnpm bench`): the sums live in one Float64Array and a node's `_pending` holds
 * its slot (a number kept in a node field is boxed: one heap allocation per addition), and the arrays are kept
 * for the next sweep, so a graph swept every training step does not grow them from empty each time.
 */
import { hasGradHooks, runGradHooks } from './hooks.js';
import { sigmoidNumber } from '../ndarray/kernels/unary.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import type { OpContext } from './context.js';
import { type GradMath, type GradientSums, type RuleMath, checkIndex, checkReturn } from './grad-math.js';
import { type Node, isNode } from './node.js';

/** The rule language on plain numbers (a Scalar's values): forward mode runs tangent rules on it when nothing will differentiate them. */
export class NumberRuleMath implements RuleMath<number> {
  input(ctx: OpContext, i: number): number {
    const v = ctx.saved[i] as unknown;
    return isNode(v) ? (v.raw as number) : (v as number);
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
  exp(a: number): number {
    return Math.exp(a);
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
  sinh(a: number): number {
    return Math.sinh(a);
  }
  cosh(a: number): number {
    return Math.cosh(a);
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

/** The rules on plain numbers, with `inputGrad` adding into the sweep's sums. One per NumberSums; `entry` is the call whose rule runs. */
class NumberMath extends NumberRuleMath implements GradMath<number> {
  entry: OpContext | null = null;

  constructor(private readonly sums: NumberSums) {
    super();
  }

  inputGrad(i: number, g: number): void {
    const entry = this.entry!;
    const x = entry.inputs[i];
    if (x === undefined) checkIndex(entry, i);
    if (x.requiresGrad) this.sums.add(x, g);
  }
}

const FIRST_SLOTS = 1024;
// Sums grown past this many slots (a graph of millions of Scalar ops) are dropped after their sweep, not kept.
const KEPT_LIMIT = 1 << 20;
let spare: NumberSums | null = null;

/** A numeric sweep's sums: one Float64Array, `nodes[slot]` the node whose gradient `values[slot]` is. */
export class NumberSums implements GradientSums<number> {
  private values = new Float64Array(FIRST_SLOTS);
  private readonly nodes: Node[] = [];
  private count = 0;
  private readonly math = new NumberMath(this);

  /** The sums the last sweep let go of, or new ones: a sweep started inside another (from a user's backward) gets its own. */
  static take(): NumberSums {
    const sums = spare ?? new NumberSums();
    spare = null;
    return sums;
  }

  get(node: Node): number | undefined {
    const slot = node._pending as number | null;
    return slot === null ? undefined : this.values[slot];
  }
  addNode(node: Node, g: Node): void {
    this.add(node, g.raw as number);
  }
  /** Adds `g` into the sum of `node`, giving it a slot on its first gradient. */
  add(node: Node, g: number): void {
    const slot = node._pending as number | null;
    if (slot !== null) {
      this.values[slot] += g;
      return;
    }
    const next = this.count++;
    if (next === this.values.length) {
      const more = new Float64Array(2 * next);
      more.set(this.values);
      this.values = more;
    }
    this.values[next] = g;
    node._pending = next;
    if (next === this.nodes.length) this.nodes.push(node);
    else this.nodes[next] = node;
  }
  set(node: Node, g: Node): void {
    this.values[node._pending as number] = g.raw as number;
  }
  asNode(like: Node, gy: number): Node {
    return like.make(gy);
  }
  runGradient(entry: OpContext, gy: number): boolean {
    const op = entry.op;
    if (op.gradient === undefined) return false;
    this.math.entry = entry;
    checkReturn(entry, op.gradient(this.math, entry, gy));
    return true;
  }
  finish(targets: readonly Node[] | undefined): Node[] {
    if (targets) return targets.map((t) => (t._pending === null ? t.zerosLike() : t.make(this.values[t._pending as number])));
    for (let i = 0; i < this.count; i++) {
      const n = this.nodes[i];
      // A leaf's hooks run here, before its gradient joins .grad (hooks.ts).
      if (n.isLeaf && hasGradHooks(n)) n._accumulateGrad(runGradHooks(n, n.make(this.values[i])));
      else n._accumulateGradValue(this.values[i]);
    }
    return [];
  }
  /** Empties the sums for the next sweep, letting go of every node they held, and keeps them unless grown huge. */
  clear(): void {
    const nodes = this.nodes;
    for (let i = 0; i < this.count; i++) {
      nodes[i]._pending = null;
      nodes[i] = null!;
    }
    this.count = 0;
    this.math.entry = null;
    if (this.values.length <= KEPT_LIMIT) keepForNextSweep(this);
  }
}

function keepForNextSweep(sums: NumberSums): void {
  spare = sums;
}
