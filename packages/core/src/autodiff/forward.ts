/**
 * Forward mode, at the moment an op is applied: for each `jvp` level that perturbs an input, the op's `tangent`
 * rule turns the inputs' tangents into the output's (the pushforward, J u, one op at a time), and the result
 * rides on the output node. Nothing is kept for later: the call's context lives only while its rules run, so
 * forward mode's memory does not grow with the depth of the computation, and nothing goes on the tape unless the
 * tangent itself will be differentiated (grad of jvp), in which case the rule's ops are recorded like any others.
 *
 * A rule runs on plain numbers when the output is a Scalar, the op is elementwise (its rule is written over
 * RuleMath for any value kind) and nothing will differentiate the tangent; otherwise on nodes. An op without a
 * tangent rule (a user's op with only `backward`) gets its tangent by transposing its backward (see
 * `transposedTangent`), which is correct but slower.
 */
import { AnomalyError, GradError, formatShape } from '../errors.js';
import { NDArray } from '../ndarray/ndarray.js';
import { sweep } from './backward.js';
import { KEEPS_FOR_TANGENTS, NOTHING_SAVED, OpContext } from './context.js';
import type { AnyOp } from './define-op.js';
import { checkFinite } from './finite.js';
import { mode } from './mode.js';
import { Node, type TensorNode, isNode } from './node.js';
import { NodeRuleMath } from './node-math.js';
import { NumberRuleMath } from './number-math.js';
import { type Level, forwardMode, hasVisibleTangent, isVisible, setTangent, tangentAt, withLevelHidden } from './tangents.js';

const onNumbers = new NumberRuleMath();
const onNodes = new NodeRuleMath();

const NO_OP: AnyOp = { name: 'none', forward: () => 0, backward: () => [] };
/** The context an inline forward-mode call (`tangentInline`) runs against; its inputs lists are reused. */
const scratch = new OpContext(NO_OP, [], undefined, false, true);
const scratchInputs: [Node[], Node[]] = [[], []];

/**
 * A built-in elementwise op on one or two Scalars while a jvp runs, the numeric case done inline (as recordInline
 * does for the tape): when nothing is recorded, each input is perturbed by at most the one same visible level with
 * a tangent that is a number, the op's forward and tangent rule run on numbers against a scratch context, and the
 * output gets its tangent with no OpContext made. Returns null when the general path (applyOp) is needed.
 */
export function tangentInline(op: AnyOp, a: Node, b: Node | null): Node | null {
  if (!mode.grad || a.requiresGrad || (b !== null && b.requiresGrad)) return null;
  const la = a._tangents;
  const lb = b === null ? null : b._tangents;
  const link = la ?? lb;
  if (link === null || !isVisible(link.level)) return null;
  if (la !== null && (la.next !== null || typeof la.value !== 'number' || la.level !== link.level)) return null;
  if (lb !== null && (lb.next !== null || typeof lb.value !== 'number' || lb.level !== link.level)) return null;
  const inputs = b === null ? scratchInputs[0] : scratchInputs[1];
  inputs[0] = a;
  if (b !== null) inputs[1] = b;
  scratch._pointAt(op, inputs, null, 0, KEEPS_FOR_TANGENTS, 0, NOTHING_SAVED);
  try {
    const raw = b === null ? op.forward(scratch, a) : op.forward(scratch, a, b);
    const out = a.make(raw as number);
    scratch.output = out;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- tangent rules are plain functions: none reads `this`
    const rule = op.tangent as unknown as NumberRule;
    const ta = la === null ? null : (la.value as number);
    const t = b === null ? rule(onNumbers, scratch, ta) : rule(onNumbers, scratch, ta, lb === null ? null : (lb.value as number));
    if (t !== null) out._tangents = { level: link.level, value: t, next: null };
    return out;
  } finally {
    scratch._pointAt(NO_OP, [], null, 0, 0, 0, NOTHING_SAVED);
    scratchInputs[0][0] = scratchInputs[1][0] = scratchInputs[1][1] = null!;
  }
}

/**
 * Gives `out`, the result of one call of `op`, its tangent at each of `levels` (oldest first, so that a newer
 * level's rule, reading the output, sees the older levels' tangents of it). For an in-place op `out` is the
 * target, whose tangent is replaced.
 */
export function pushTangents(op: AnyOp, ctx: OpContext, out: Node, levels: readonly Level[]): void {
  if (ctx.output === null) ctx.output = out;
  // The rule's ops are blamed on it in anomaly mode (as a backward rule's are), and on nothing outside it.
  const outer = [forwardMode.ruleOf, mode.backwardOf] as const;
  forwardMode.ruleOf = op;
  mode.backwardOf = null;
  try {
    for (const level of levels)
      setTangent(
        out,
        level,
        withLevelHidden(level, () => tangentOf(op, ctx, out, level)),
      );
  } finally {
    [forwardMode.ruleOf, mode.backwardOf] = outer;
  }
}

function tangentOf(op: AnyOp, ctx: OpContext, out: Node, level: Level): Node | number | null {
  const inputs = ctx.inputs;
  const tangents = new Array<Node | number | null>(inputs.length);
  // On numbers only when nothing will differentiate the tangent: no input on the tape, no older level perturbing it.
  let numeric = typeof out.raw === 'number' && isElementwise(op);
  for (let i = 0; i < inputs.length; i++) {
    const t = tangentAt(inputs[i], level);
    tangents[i] = t;
    if (numeric && (isDifferentiable(inputs[i]) || (isNode(t) && isDifferentiable(t)))) numeric = false;
  }
  if (numeric) {
    const ts = tangents.map<number | null>((t) => (isNode(t) ? (t.raw as number) : t));
    return (op.tangent as unknown as NumberRule)(onNumbers, ctx, ...ts);
  }
  const ts = tangents.map((t, i) => (typeof t === 'number' ? inputs[i].make(t) : t));
  const t = op.tangent !== undefined ? op.tangent(onNodes, ctx, ...ts) : transposedTangent(op, ctx, ts);
  if (t === null) return null;
  const expanded = checkTangent(op, t, out)._expandTo(out);
  if (mode.anomaly)
    checkFinite(
      expanded,
      (bad) => new AnomalyError(`${op.name} tangent (forward mode) produced ${bad} (output shape ${formatShape(out.shape)})`),
    );
  // A Scalar tangent that nothing will differentiate goes on as a number, so the ops after it stay on numbers.
  return typeof expanded.raw === 'number' && !isDifferentiable(expanded) ? expanded.raw : expanded;
}

type NumberRule = (m: NumberRuleMath, ctx: OpContext, ...inputTangents: Array<number | null>) => number | null;

function isElementwise(op: AnyOp): boolean {
  return (op as { readonly kernel?: unknown }).kernel !== undefined;
}

/** Whether values computed from `x` now are differentiated: on the tape, or along a visible older level. */
function isDifferentiable(x: Node): boolean {
  return (mode.grad && x.requiresGrad) || hasVisibleTangent(x);
}

function checkTangent(op: AnyOp, t: unknown, out: Node): Node {
  if (!(t instanceof Node)) throw new GradError(`${op.name}: its tangent rule returned ${typeof t}; expected a node like its output`);
  if (t.constructor !== out.constructor && typeof t.raw !== typeof out.raw) {
    throw new GradError(`${op.name}: its tangent rule returned a ${t.constructor.name} for a ${out.constructor.name} output`);
  }
  return t;
}

/**
 * J u for an op that has only a backward, by transposing it twice (the "double vjp"): backward is the linear map
 * w -> J^T w, so with w a fresh leaf, the gradient of <J^T w, u> with respect to w is J u. It runs the backward
 * once and sweeps its graph once: a few times the cost of a tangent rule, and the backward must be written in
 * differentiable ops (what `createGraph` needs too).
 */
export function transposedTangent(op: AnyOp, ctx: OpContext, tangents: ReadonlyArray<Node | null>): Node | null {
  const out = ctx.output!;
  // Ones, not zeros: any w gives the same J u, but a backward that is not differentiable shows itself with a non-zero one.
  const w = out.make(typeof out.raw === 'number' ? 1 : onesOf(out.raw));
  w.requiresGrad = true;
  const wasRecording = mode.grad;
  mode.grad = true;
  let total: Node | null = null;
  try {
    const grads = op.backward(ctx, w);
    for (let i = 0; i < tangents.length; i++) {
      const u = tangents[i];
      const g = grads[i];
      if (u === null || g === null || g === undefined) continue;
      if (!g.requiresGrad) {
        if (isZero(g)) continue;
        throw new GradError(
          `${op.name}: it has no tangent rule, and its backward is not written in differentiable ops (the gradient of ` +
            `input ${i}, shape ${formatShape(g.shape)}, does not depend on the upstream gradient as a recorded graph), so ` +
            `forward mode cannot transpose it. Give the op a tangent rule (defineOp({ ..., tangent })).`,
        );
      }
      const term = innerProduct(g._conformTo(ctx.inputs[i]), u);
      total = total === null ? term : total.add(term);
    }
  } finally {
    mode.grad = wasRecording;
  }
  if (total === null) return null;
  const seed = total.make(typeof total.raw === 'number' ? 1 : onesOf(total.raw));
  const differentiated = tangents.some((u) => u !== null && isDifferentiable(u)) || ctx.inputs.some(isDifferentiable);
  return sweep({ roots: [total], seeds: [seed], targets: [w], createGraph: differentiated })[0];
}

/** sum(a * b) over every element, as a one-element node (a Scalar for Scalars). */
function innerProduct(a: Node, b: Node): Node {
  const p = a.mul(b);
  return typeof p.raw === 'number' ? p : (p as TensorNode).sum();
}

function isZero(g: Node): boolean {
  const r = g.raw;
  if (typeof r === 'number') return r === 0;
  for (let i = 0; i < r.data.length; i++) if (r.data[i] !== 0) return false;
  return true;
}

function onesOf(r: NDArray): NDArray {
  const one = NDArray.zeros(r.shape, r.dtype);
  one.data.fill(1);
  return one;
}
