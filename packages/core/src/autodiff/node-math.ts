/**
 * Gradients as graph nodes: the interpreter that runs a GradMath rule on nodes (recorded under createGraph, so
 * gradients can be differentiated again), and the sums a sweep over nodes gathers them in. Every Tensor sweep
 * runs here, as does a Scalar sweep that records its rules, is explained, or runs in anomaly mode.
 */
import { hasGradHooks, runGradHooks } from './hooks.js';
import { type BinaryKernel, binary } from '../ndarray/kernels/binary.js';
import { type UnaryKernel, unary } from '../ndarray/kernels/unary.js';
import { NDArray } from '../ndarray/ndarray.js';
import { allocate, floatResult, releaseArray, resultType } from '../ndarray/dtype.js';
import { sumOfProducts } from '../ndarray/kernels/reduce.js';
import type { OpContext } from './context.js';
import type { AnyOp } from './define-op.js';
import { type GradMath, type GradientSums, type RuleMath, checkIndex, checkReturn } from './grad-math.js';
import { batchedConstant, batching, isBatched } from './batching.js';
import { mode } from './mode.js';
import { isDifferentiated } from './tangents.js';
import type { Node } from './node.js';

/** Whether a vmap is running and `a` or `b` is batched: kernels cannot read such values, ops batch them. */
function isBatchedOperand(a: Node, b: Node): boolean {
  return batching.open !== 0 && (isBatched(a) || isBatched(b));
}

function operandNode(like: Node, b: Node | number): Node {
  return typeof b === 'number' ? like.constant(b) : b;
}

/** A constant elementwise kernel result over nodes: `kernel(a, b)`, a node of `a`'s kind not requiring grad. */
export function maskNode<N extends Node>(kernel: BinaryKernel, a: N, b: N | number): N {
  const bn = operandNode(a, b);
  const batched = batchedConstant([a, bn], (ra, rb) => binary(kernel, ra, rb, floatResult(ra.dtype)));
  if (batched !== null) return batched as N;
  const ra = a.raw;
  const rb = bn.raw;
  // In the dtype of `a`, so a 0/1 mask does not promote the gradient it multiplies.
  const raw = typeof ra === 'number' ? kernel.scalar(ra, rb as number) : binary(kernel, ra, rb as NDArray, floatResult(ra.dtype));
  return a.make(raw) as N;
}

/**
 * @internal runs `rule` over nodes for one call and returns its gradients, one per input (null where none): the
 * node `backward` that `defineOp` derives. Recorded when grad mode is on (createGraph).
 */
export function nodeGradients(op: AnyOp, ctx: OpContext, dy: Node): Array<Node | null> {
  const m = new NodeMath(ctx);
  checkReturn(ctx, op.gradient!(m, ctx, dy));
  return m.grads;
}

/**
 * The rule language over graph nodes: each math method is the op of its name, recorded when grad mode is on and an
 * input requires grad (createGraph, or a tangent that will be differentiated), plain node math otherwise. Forward
 * mode runs tangent rules on it; NodeMath adds `inputGrad` for gradient rules.
 */
export class NodeRuleMath implements RuleMath<Node> {
  input(ctx: OpContext, i: number): Node {
    return ctx.saved[i];
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
    if (mode.grad || like.size !== 1 || isBatchedOperand(a, b)) return a.mul(b);
    const ra = a.raw;
    const rb = b.raw;
    if (typeof ra === 'number' || typeof rb === 'number' || ra.size !== rb.size) return a.mul(b);
    if (ra.device !== undefined || rb.device !== undefined) return a.mul(b); // the device's kernels, and its sum
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
  exp(a: Node): Node {
    return a.exp();
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
  sinh(a: Node): Node {
    return a.sinh();
  }
  cosh(a: Node): Node {
    return a.cosh();
  }
  sigmoid(a: Node): Node {
    return a.sigmoid();
  }
  mask(kernel: BinaryKernel, a: Node, b: Node | number): Node {
    return maskNode(kernel, a, b);
  }
  map(kernel: UnaryKernel, a: Node): Node {
    const batched = batchedConstant([a], (r) => unary(kernel, r));
    if (batched !== null) return batched;
    const r = a.raw;
    return a.make(typeof r === 'number' ? kernel.scalar(r) : unary(kernel, r));
  }
  fused(kernel: BinaryKernel, a: Node, b: Node): Node | null {
    // Batched values (vmap) take the composite too: its ops are batched.
    if (isDifferentiated(a, b) || isBatchedOperand(a, b)) return null;
    const ra = a.raw;
    return a.make(typeof ra === 'number' ? kernel.scalar(ra, b.raw as number) : binary(kernel, ra, b.raw as NDArray));
  }
}

/** The rules over graph nodes, with `inputGrad` gathering each input's gradient for the node `backward`. */
class NodeMath extends NodeRuleMath implements GradMath<Node> {
  readonly grads: Array<Node | null>;

  constructor(private readonly ctx: OpContext) {
    super();
    this.grads = ctx.inputs.map(() => null);
  }

  inputGrad(i: number, g: Node): void {
    checkIndex(this.ctx, i);
    const before = this.grads[i];
    this.grads[i] = before === null ? g : before.add(g);
  }
}

/**
 * A node sweep's sums: each node's gradient so far in its `_pending`, and the nodes that have one.
 *
 * The sums recycle the memory of what they alone hold (docs/decisions.md, "Output memory"): a partial sum they made
 * is private until the sweep reads it as a node's whole gradient (every node keeps its whole gradient as `.grad`, and
 * rules, hooks and users may hold it). A private sum replaced by a larger one is read by nothing: its array goes back
 * to the pool.
 *
 * They also tell a leaf when its gradient is one the sweep made and handed to it alone (`sole`), so that the leaf
 * may keep that gradient's memory as its `.grad` rather than copying it (Tensor._accumulateGrad): a gradient made
 * before the sweep began (a seed, a value a rule saved or keeps) or handed to two nodes (add's dy, which is also its
 * output's .grad) is never sole, and a sweep that records (createGraph) or is observed (explain) gives none.
 */
export class NodeSums implements GradientSums<Node> {
  private readonly touched: Node[] = [];
  private readonly own = new Set<Node>();
  /** How many nodes each gradient was handed to as their sum so far; null when the sweep gives no sole gradients. */
  private readonly handed: Map<Node, number> | null;
  /** mode.tensorsMade when the sweep began: a gradient born from here on is the sweep's. */
  private readonly start = mode.tensorsMade;

  constructor(soleGradients = false) {
    this.handed = soleGradients ? new Map() : null;
  }

  get(node: Node): Node | undefined {
    const g = (node._pending as Node | null) ?? undefined;
    if (g !== undefined) this.own.delete(g);
    return g;
  }
  addNode(node: Node, g: Node): void {
    const pending = node._pending as Node | null;
    if (pending === null) {
      node._pending = g;
      this.hand(g);
      this.touched.push(node);
    } else {
      const sum = pending.add(g);
      node._pending = sum;
      this.hand(sum);
      this.recycle(pending);
      if (!mode.grad) this.own.add(sum);
    }
  }
  private recycle(g: Node): void {
    const raw = g.raw;
    if (this.own.delete(g) && typeof raw !== 'number' && raw.device === undefined && !isBatched(g)) releaseArray(raw.data);
  }
  set(node: Node, g: Node): void {
    node._pending = g;
    this.hand(g);
  }
  private hand(g: Node): void {
    this.handed?.set(g, (this.handed.get(g) ?? 0) + 1);
  }
  /** Whether `g` is the sweep's own gradient, handed to one node only. */
  private sole(g: Node): boolean {
    return this.handed !== null && this.handed.get(g) === 1 && g._born !== undefined && g._born >= this.start;
  }
  asNode(_like: Node, gy: Node): Node {
    return gy;
  }
  /** Always false: on nodes, the op's `backward` (derived from its `gradient` rule by defineOp) is the rule. */
  runGradient(): boolean {
    return false;
  }
  finish(targets: readonly Node[] | undefined): Node[] {
    if (targets) return targets.map((t) => (t._pending as Node | null) ?? t.zerosLike());
    // A leaf's hooks run here, on this backward's gradient, before it joins .grad; a non-leaf's ran in the sweep.
    for (const n of this.touched) {
      const g = n._pending as Node;
      if (n.isLeaf && hasGradHooks(n)) n._accumulateGrad(runGradHooks(n, g));
      else n._accumulateGrad(g, n.isLeaf && this.sole(g));
    }
    return [];
  }
  clear(): void {
    for (const n of this.touched) n._pending = null;
    this.touched.length = 0;
    this.own.clear();
    this.handed?.clear();
  }
}
