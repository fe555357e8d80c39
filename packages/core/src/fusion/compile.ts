/**
 * Turns a trace into fused programs: the forward, and the backward, which is derived by running each op's own
 * `gradient` rule over SymbolicMath, a GradMath whose values are slots of a program: no rule is written twice.
 * The backward visits the ops in reverse call order and sums each value's gradients in the order an eager sweep
 * would, so the gradients are the eager ones bit for bit (see docs/decisions.md, "Fused elementwise chains").
 *
 * Each use of an argument (x in x.mul(x) is used twice) is its own input of the fused op, ordered so that the
 * sweep adds their gradients in the eager order: an eager sweep sums a node's gradients one entry at a time, and
 * float addition does not reassociate.
 */
import type { OpContext } from '../autodiff/context.js';
import type { GradMath } from '../autodiff/grad-math.js';
import { allocate } from '../ndarray/dtype.js';
import type { BinaryKernel } from '../ndarray/kernels/binary.js';
import type { UnaryKernel } from '../ndarray/kernels/unary.js';
import { type Shape, sameShape, sizeOf, stridesOf } from '../ndarray/shape.js';
import type { Program, SlotSpec, Step } from './block-program.js';
import { fusableOps, type TraceNode } from './trace.js';

/** One use of an argument by an op of the trace: its node and operand position. */
export interface Use {
  readonly arg: number;
  readonly node: number;
  readonly position: number;
}

/** A compiled call signature: the fused op's inputs (one per use), its forward, and what backward needs. */
export interface FusedPlan {
  readonly uses: readonly Use[];
  readonly forward: Program;
  /** Shape of the result: the full shape, or [] after a sum. */
  readonly outShape: Shape;
  readonly reduced: boolean;
  readonly nodes: readonly TraceNode[];
  readonly result: number;
  /** Whether each argument, and each use's argument, requires grad (part of the signature). */
  readonly argRequiresGrad: readonly boolean[];
  readonly usesRequireGrad: readonly boolean[];
  /** The backward program, when an argument requires grad. */
  readonly backward: BackwardPlan | null;
  /**
   * The op nodes whose forward values the backward reads and that are costly to recompute (unary ops: tanh, exp,
   * …): forward writes them out (forward outputs 1, 2, …) and backward reads them; the rest it recomputes.
   */
  readonly kept: readonly number[];
}

export interface BackwardPlan {
  readonly program: Program;
  /** The op nodes whose forward values the rules read. */
  readonly reads: ReadonlySet<number>;
  /** For each use: the index of its output in `program.outputs`, or -1 where it gets no gradient. */
  readonly outputOf: readonly number[];
}

/** Why a trace cannot run fused (then it runs eagerly), or null. */
export function unfusableReason(nodes: readonly TraceNode[], result: number): string | null {
  const top = nodes[result];
  const body = top.kind === 'sum' ? nodes[top.input] : top;
  if (body.kind !== 'op') return 'its result is not computed by an elementwise op';
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.kind === 'sum' && i !== result) return 'a sum that is not its last step';
    if (n.kind === 'op' && !sameShape(n.shape, body.shape)) return `an intermediate of shape [${n.shape.join(', ')}], not the full shape`;
  }
  return null;
}

/** Builds the forward program of a fusable trace for arguments of `argShapes`, all of `dtype`. */
export function compile(
  nodes: readonly TraceNode[],
  result: number,
  argShapes: readonly Shape[],
  argRequiresGrad: readonly boolean[],
  dtype: 'float32' | 'float64',
): FusedPlan {
  const top = nodes[result];
  const reduced = top.kind === 'sum';
  const bodyId = top.kind === 'sum' ? top.input : result;
  const shape = nodes[bodyId].shape;
  const live = liveNodes(nodes, result);
  // Uses in the order the sweep must add their gradients: later ops first, operands left to right.
  const uses: Use[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!live[i] || n.kind !== 'op') continue;
    n.inputs.forEach((id, position) => {
      const a = nodes[id];
      if (a.kind === 'arg') uses.push({ arg: a.index, node: i, position });
    });
  }
  const builder = new ProgramBuilder(dtype, shape);
  const slotOfUse = uses.map((u, k) => builder.input(argShapes[u.arg], k));
  const slotOf = new Map<number, number>();
  const operandSlot = (node: number, position: number, id: number): number => {
    const n = nodes[id];
    if (n.kind === 'const') return builder.constant(n.value);
    if (n.kind === 'arg') return slotOfUse[uses.findIndex((u) => u.node === node && u.position === position)];
    return slotOf.get(id)!;
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (!live[i] || n.kind !== 'op') continue;
    const a = operandSlot(i, 0, n.inputs[0]);
    const b = n.inputs.length > 1 ? operandSlot(i, 1, n.inputs[1]) : -1;
    slotOf.set(i, builder.step(n.op.definition.kernel, a, b));
  }
  const resultOutput = { slot: slotOf.get(bodyId)!, reduce: reduced };
  const base = {
    uses,
    forward: builder.finish([resultOutput]),
    outShape: reduced ? [] : shape,
    reduced,
    nodes,
    result,
    argRequiresGrad,
    usesRequireGrad: uses.map((u) => argRequiresGrad[u.arg]),
    backward: null,
    kept: [],
  };
  if (!base.usesRequireGrad.some(Boolean)) return base;
  const reads = compileBackward(base).reads;
  const kept = [...reads].filter((id) => {
    const n = nodes[id];
    return n.kind === 'op' && n.op.definition.kernel.arity === 1;
  });
  const forward = builder.finish([resultOutput, ...kept.map((id) => ({ slot: slotOf.get(id)!, reduce: false }))]);
  const withKept = { ...base, forward, kept };
  return { ...withKept, backward: compileBackward(withKept) };
}

function liveNodes(nodes: readonly TraceNode[], result: number): boolean[] {
  const live = nodes.map(() => false);
  live[result] = true;
  for (let i = result; i >= 0; i--) {
    if (!live[i]) continue;
    const n = nodes[i];
    if (n.kind === 'op') for (const id of n.inputs) live[id] = true;
    else if (n.kind === 'sum') live[n.input] = true;
  }
  return live;
}

/** Collects slots and steps, then keeps only the steps the outputs need. */
class ProgramBuilder {
  private readonly slots: SlotSpec[] = [];
  private readonly steps: Step[] = [];
  private readonly size: number;

  constructor(
    readonly dtype: 'float32' | 'float64',
    readonly shape: Shape,
  ) {
    this.size = sizeOf(shape);
  }

  isScalar(slot: number): boolean {
    const s = this.slots[slot];
    return s.kind === 'scalar' || s.kind === 'const' || (s.kind === 'step' && s.scalar);
  }

  /** An input of `argShape`, read as the full shape, one broadcast element, or gathered. */
  input(argShape: Shape, input: number): number {
    if (sameShape(argShape, this.shape)) return this.add({ kind: 'full', input });
    if (sizeOf(argShape) === 1) return this.add({ kind: 'scalar', input });
    const own = stridesOf(argShape);
    const lead = this.shape.length - argShape.length;
    const strides = this.shape.map((_, d) => (d < lead || argShape[d - lead] === 1 ? 0 : own[d - lead]));
    return this.add({ kind: 'partial', input, strides });
  }

  /** A number operand, rounded to the dtype as an eager op's constant is. */
  constant(value: number): number {
    const rounded = allocate(this.dtype, 1);
    rounded[0] = value;
    return this.add({ kind: 'const', value: rounded[0] });
  }

  step(kernel: UnaryKernel | BinaryKernel, a: number, b: number): number {
    const scalar = this.isScalar(a) && (b < 0 || this.isScalar(b));
    const out = this.add({ kind: 'step', scalar });
    this.steps.push({ kernel, a, b, out });
    return out;
  }

  finish(outputs: Program['outputs']): Program {
    const needed = this.slots.map(() => false);
    for (const o of outputs) needed[o.slot] = true;
    const steps: Step[] = [];
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const st = this.steps[i];
      if (!needed[st.out]) continue;
      needed[st.a] = true;
      if (st.b >= 0) needed[st.b] = true;
      steps.push(st);
    }
    steps.reverse();
    return { dtype: this.dtype, shape: this.shape, size: this.size, slots: this.slots, steps, outputs };
  }

  add(spec: SlotSpec): number {
    this.slots.push(spec);
    return this.slots.length - 1;
  }
}

/** A slot of a program under construction, as a rule sees it. */
interface Sym {
  readonly slot: number;
}

/** What a rule may read of its context: the op's inputs (requiresGrad, size) and, through SymbolicMath, its values. */
interface SymbolicContext {
  readonly node: number;
  readonly inputs: ReadonlyArray<{ readonly requiresGrad: boolean; readonly size: number; readonly shape: Shape }>;
  needsGrad(i: number): boolean;
  readonly attrs: undefined;
}

function kernelOf(name: string): UnaryKernel | BinaryKernel {
  return fusableOps().get(name)!.definition.kernel;
}

/**
 * GradMath over program slots: each method appends the kernel call its eager counterpart makes. The math methods
 * (add, mul, exp, sinh, …) are each the elementwise op of that name (ops/index.ts checks RuleMath against OPS), so
 * they are installed from the ops themselves: a method added to RuleMath needs no edit here. `fused(k, …)` is `k`,
 * and `mulFor` is a product that the argument's reduction sums, as mulFor's one pass does.
 */
class SymbolicMath {
  grads: Array<Sym | null> = [];

  constructor(
    readonly builder: ProgramBuilder,
    private readonly valueOf: (node: number, position: number) => Sym,
    private readonly outputOf: (node: number) => Sym,
  ) {
    for (const [name, op] of fusableOps()) {
      const kernel = op.definition.kernel;
      Object.defineProperty(this, name, {
        value: kernel.arity === 1 ? (a: Sym) => this.apply(kernel, a) : (a: Sym, x: Sym | number) => this.apply(kernel, a, x),
      });
    }
  }

  apply(kernel: UnaryKernel | BinaryKernel, a: Sym, x?: Sym | number): Sym {
    const b = x === undefined ? -1 : typeof x === 'number' ? this.builder.constant(x) : x.slot;
    return { slot: this.builder.step(kernel, a.slot, b) };
  }
  input(ctx: OpContext, i: number): Sym {
    return this.valueOf((ctx as unknown as SymbolicContext).node, i);
  }
  output(ctx: OpContext): Sym {
    return this.outputOf((ctx as unknown as SymbolicContext).node);
  }
  mulFor(_ctx: OpContext, _i: number, a: Sym, x: Sym): Sym {
    return this.apply(kernelOf('mul'), a, x);
  }
  mask(kernel: BinaryKernel, a: Sym, x: Sym | number): Sym {
    return this.apply(kernel, a, x);
  }
  map(kernel: UnaryKernel, a: Sym): Sym {
    return this.apply(kernel, a);
  }
  fused(kernel: BinaryKernel, a: Sym, x: Sym): Sym {
    return this.apply(kernel, a, x);
  }
  inputGrad(i: number, g: Sym): void {
    const before = this.grads[i];
    this.grads[i] = before === null || before === undefined ? g : this.apply(kernelOf('add'), before, g);
  }
}

/**
 * The backward program of `plan`: recomputes the forward values the rules read (nothing is kept from forward),
 * then runs the rules in reverse call order. Inputs: one per use, then the upstream gradient.
 */
function compileBackward(plan: FusedPlan): BackwardPlan {
  const { nodes, uses, forward, kept } = plan;
  const b = new ProgramBuilder(forward.dtype, forward.shape);
  // The forward slots, re-created in the same order (so forward's step slots keep their indices).
  for (const spec of forward.slots) {
    if (spec.kind === 'step') continue;
    if (spec.kind === 'const') b.constant(spec.value);
    else b.add(spec);
  }
  const requiresGrad = nodes.map(() => false);
  const useIndex = (node: number, position: number): number => uses.findIndex((u) => u.node === node && u.position === position);
  const forwardSlots = forward.slots;
  // Map forward slots to the new builder's slots: inputs and constants were re-added in order.
  const remap: number[] = [];
  let next = 0;
  forwardSlots.forEach((spec, s) => {
    if (spec.kind !== 'step') remap[s] = next++;
  });
  const dy = b.input(plan.reduced ? [] : forward.shape, uses.length);
  const live = liveNodes(nodes, plan.result);
  const liveOps = nodes.flatMap((n, i) => (live[i] && n.kind === 'op' ? [i] : []));
  forward.steps.forEach((st, k) => {
    const keptAt = kept.indexOf(liveOps[k]);
    // A kept value is backward input uses.length + 1 + its place in `kept`, read as the full shape.
    remap[st.out] =
      keptAt >= 0 ? b.add({ kind: 'full', input: uses.length + 1 + keptAt }) : b.step(st.kernel, remap[st.a], st.b < 0 ? -1 : remap[st.b]);
  });
  // Which forward step slot holds each op node's value: forward's steps are in node order, one per live op.
  const slotOfNode = new Map<number, number>();
  liveOps.forEach((id, k) => slotOfNode.set(id, remap[forward.steps[k].out]));
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.kind === 'arg') requiresGrad[i] = plan.argRequiresGrad[n.index];
    if (n.kind === 'op') requiresGrad[i] = n.inputs.some((id) => requiresGrad[id]);
  }
  const reads = new Set<number>();
  const valueOf = (node: number, position: number): Sym => {
    const n = nodes[node];
    if (n.kind !== 'op') throw new Error('fuse: internal: a rule read an input of a non-op node');
    const id = n.inputs[position];
    const input = nodes[id];
    if (input.kind === 'const') return { slot: b.constant(input.value) };
    // Use k's slot is forward's slot k (compile adds them first).
    if (input.kind === 'arg') return { slot: remap[useIndex(node, position)] };
    reads.add(id);
    return { slot: slotOfNode.get(id)! };
  };
  const outputOfNode = (node: number): Sym => {
    reads.add(node);
    return { slot: slotOfNode.get(node)! };
  };
  const m = new SymbolicMath(b, valueOf, outputOfNode);
  const math = m as unknown as GradMath<Sym>;
  const pending = new Map<number, Sym>();
  const top = nodes[plan.result];
  const bodyId = top.kind === 'sum' ? top.input : plan.result;
  const contributions: Array<Sym | null> = uses.map(() => null);
  const give = (node: number, position: number, id: number, g: Sym): void => {
    const target = nodes[id];
    if (!requiresGrad[id]) return;
    if (target.kind === 'arg') {
      const u = useIndex(node, position);
      const before = contributions[u];
      contributions[u] = before === null ? g : m.apply(kernelOf('add'), before, g);
    } else if (target.kind === 'op') {
      const before = pending.get(id);
      pending.set(id, before === undefined ? g : m.apply(kernelOf('add'), before, g));
    }
  };
  if (top.kind === 'sum' && nodes[bodyId].kind !== 'op') give(plan.result, 0, bodyId, { slot: dy });
  else pending.set(bodyId, { slot: dy });
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const gy = pending.get(i);
    if (n.kind !== 'op' || gy === undefined || !requiresGrad[i]) continue;
    const inputs = n.inputs.map((id) => ({ requiresGrad: requiresGrad[id], size: sizeOf(nodes[id].shape), shape: nodes[id].shape }));
    const ctx: SymbolicContext = { node: i, inputs, needsGrad: (j) => inputs[j].requiresGrad, attrs: undefined };
    m.grads = n.inputs.map(() => null);
    n.op.definition.gradient!(math, ctx as unknown as OpContext<undefined>, gy);
    m.grads.forEach((g, position) => {
      if (g !== null) give(i, position, n.inputs[position], g);
    });
  }
  const outputs: Array<{ slot: number; reduce: boolean }> = [];
  const outputOf = uses.map((_, j) => {
    const g = contributions[j];
    if (g === null || !plan.usesRequireGrad[j]) return -1;
    outputs.push({ slot: g.slot, reduce: forward.slots[j].kind === 'scalar' });
    return outputs.length - 1;
  });
  return { program: b.finish(outputs), outputOf, reads };
}
