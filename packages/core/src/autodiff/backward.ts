/**
 * The reverse sweep. Recording order is a topological order, so the sweep gathers the tape entries reachable
 * from the roots (an explicit stack, never recursion: a chain of a million ops works), runs them in decreasing
 * sequence number, and sums each rule's input gradients into the inputs. The order of every sum is fixed by the
 * tape, so the same program gives bit-identical gradients on every run.
 *
 * One loop serves every sweep. What varies is the kind of value a gradient travels as, and so where the sums
 * are kept (a GradientSums):
 * - nodes (NodeSums, node-math.ts): every Tensor sweep, and a Scalar sweep that records its rules (createGraph),
 *   is explained (an observer) or runs in anomaly mode, since those look at each gradient as a node;
 * - plain numbers (NumberSums, number-math.ts): any other sweep over Scalars. An op's `gradient` rule then runs
 *   on numbers, allocating nothing per gradient, which is what a micrograd-sized graph needs.
 * The entries are reached through their output nodes (see entry.ts: a Scalar op may keep its entry in
 * its output node instead of an OpContext).
 */
import { AnomalyError, GradError, ShapeError, formatShape } from '../errors.js';
import { broadcastsTo, sameShape } from '../ndarray/shape.js';
import { type OpContext, forwardTraces } from './context.js';
import { checkFinite } from './finite.js';
import { hasGradHooks, runGradHooks } from './hooks.js';
import type { GradientSums } from './grad-math.js';
import { inputAt } from './in-place.js';
import { checkEntry, entryArity, entryInput, entryOf, entrySeq, forgetReader, releaseEntry } from './entry.js';
import { mode } from './mode.js';
import type { Node } from './node.js';
import { NodeSums } from './node-math.js';
import { NumberSums } from './number-math.js';

/** Options of `backward`. */
export interface BackwardOptions {
  /** Keep saved values so the graph can be swept again (default: false; true when createGraph is set). */
  readonly retainGraph?: boolean;
  /** Record the backward rules themselves, so the gradients can be differentiated again. */
  readonly createGraph?: boolean;
}

/** Receives each chain-rule step of a sweep, in the order it runs; used by `explain`. */
export interface SweepObserver {
  /** Called after each rule runs, with the upstream gradient and the gradient for each input (null where none). */
  step(entry: OpContext, gradOutput: Node, inputGrads: ReadonlyArray<Node | null>): void;
}

/** What `sweep` takes: the roots and their seed gradients, and what to do with the result. */
export interface SweepRequest extends BackwardOptions {
  readonly roots: readonly Node[];
  readonly seeds: readonly Node[];
  /** When given, their gradients are returned and no `.grad` is touched (the functional API). */
  readonly targets?: readonly Node[];
  /**
   * The sweep does not go past the targets: a target that is itself computed gets the gradient that reaches it and
   * passes nothing on (each one is differentiated on its own, as an argument). What `checkpoint` needs to sweep a
   * recomputed piece of a graph inside the sweep of the whole.
   */
  readonly stopAtTargets?: boolean;
  /** Nodes the sweep does not go past either (the functional transforms' arguments, each an independent input). */
  readonly stopAt?: readonly Node[];
  readonly observer?: SweepObserver;
}

/**
 * Runs one reverse sweep. Returns the targets' gradients (or an empty list when there are no targets).
 * @example
 * sweep({ roots: [y], seeds: [scalar(1, { requiresGrad: false })] });   // what y.backward() does
 */
export function sweep(req: SweepRequest): Node[] {
  const createGraph = req.createGraph ?? false;
  const retain = req.retainGraph ?? createGraph;
  // Every entry is checked before any rule runs, so a refused backward leaves the graph as it was.
  const stops = [...(req.stopAtTargets && req.targets ? req.targets : []), ...(req.stopAt ?? [])];
  const order = collect(req.roots, stops.length > 0 ? new Set(stops) : null);
  const numeric = !createGraph && !req.observer && !mode.anomaly && req.roots.every((r) => typeof r.raw === 'number');
  const sums: GradientSums<unknown> = numeric ? NumberSums.take() : new NodeSums(!createGraph && !req.observer);
  const wasRecording = mode.grad;
  mode.grad = createGraph;
  try {
    for (let i = 0; i < req.roots.length; i++) sums.addNode(req.roots[i], req.seeds[i]);
    for (let k = 0; k < order.length; k++) {
      const out = order.nodes[k];
      if (out === undefined) continue;
      const gy = sums.get(out);
      if (gy === undefined) continue;
      const entry = entryOf(out);
      mode.backwardOf = entry;
      if (hasGradHooks(out)) {
        const g = runGradHooks(out, sums.asNode(out, gy));
        sums.set(out, g);
        runBackward(entry, g, sums, req.observer);
      } else if (!sums.runGradient(entry, gy)) runBackward(entry, sums.asNode(out, gy), sums, req.observer);
      mode.backwardOf = null;
    }
    // Released only once every rule has run: a sweep that throws part-way leaves the graph as it found it.
    if (!retain)
      for (let k = 0; k < order.length; k++) {
        const out = order.nodes[k];
        if (out !== undefined) releaseEntry(out);
      }
    return sums.finish(req.targets);
  } finally {
    order.done();
    sums.clear();
    forgetReader();
    mode.grad = wasRecording;
    mode.backwardOf = null;
  }
}

/** Runs an entry's node `backward` and adds each input's gradient, checked, into the sums. */
function runBackward(entry: OpContext, gy: Node, sums: GradientSums<unknown>, observer: SweepObserver | undefined): void {
  const grads = entry.op.backward(entry, gy);
  if (grads.length !== entry.inputs.length) {
    throw new GradError(`${entry.op.name}: backward returned ${grads.length} gradients for ${entry.inputs.length} inputs`);
  }
  const inputs = entry.inputs;
  const observed: Array<Node | null> | null = observer ? [] : null;
  for (let i = 0; i < inputs.length; i++) {
    // The version of the input this entry saw, should it have been changed in place since (in-place.ts).
    const x = inputAt(inputs[i], entry.seq);
    let g = grads[i];
    if (!x.requiresGrad || g === null || g === undefined) {
      observed?.push(null);
      continue;
    }
    g = checkGradShape(g, x, entry, i);
    if (mode.anomaly) checkGradFinite(g, x, entry, i);
    observed?.push(g);
    sums.addNode(x, g);
  }
  if (observer) observer.step(entry, gy, observed!);
}

/** A rule's gradient for input `i`, checked and summed back to the input's shape. */
function checkGradShape(g: Node, x: Node, entry: OpContext, i: number): Node {
  // Another copy of the library (shared.ts) has other constructors: only a different kind of value is refused.
  if (g.constructor !== x.constructor && typeof g.raw !== typeof x.raw) {
    throw new GradError(`${entry.op.name}: backward returned a ${g.constructor.name} gradient for ${x.constructor.name} input ${i}`);
  }
  if (sameShape(g.shape, x.shape) && g.dtype === x.dtype) return g;
  if (!broadcastsTo(x.shape, g.shape)) {
    throw new ShapeError(
      `${entry.op.name}: backward returned a gradient of shape ${formatShape(g.shape)} for input ${i} of shape ` +
        `${formatShape(x.shape)}, which does not broadcast to it`,
    );
  }
  return g._conformTo(x);
}

function checkGradFinite(g: Node, x: Node, entry: OpContext, i: number): void {
  const trace = forwardTraces.get(entry);
  checkFinite(
    g,
    (bad) =>
      new AnomalyError(
        `${entry.op.name} backward produced ${bad} in the gradient of input ${i} (${x.label}, shape ${formatShape(x.shape)})` +
          (trace !== undefined ? `\nThe forward of that ${entry.op.name} was called at:\n${trace}` : ''),
      ),
  );
}

// Slots past this many more than the entries placed so far mean a sparse graph (an entry recorded long before
// the rest): the slot array would be mostly holes, so collectSparse takes over.
const SPARSE_SLACK = 65536;
// The slot array is kept between sweeps (emptied after each), up to this length.
const KEPT_SLOTS = 1 << 20;
let spareSlots: Array<Node | undefined> | null = null;

/**
 * The output nodes of a sweep's entries, newest first, with holes (undefined) where no entry is; `done` lets go of
 * them. The sweep reads collect's slots as they are: copying them into a list of their own (a second pass, and an
 * array of a node per entry to allocate every sweep) made W3 measurably slower (docs/decisions.md).
 */
interface Order {
  readonly nodes: ReadonlyArray<Node | undefined>;
  readonly length: number;
  done(): void;
}

const NO_ORDER: Order = { nodes: [], length: 0, done() {} };

/**
 * The output nodes of the entries reachable from the roots, newest entry first, each entry checked as it is
 * reached (released graph, values mutated since they were saved). Node `n` goes in slot `top - seq(n)`, `top` the
 * newest root's sequence number: the slot is both the visited mark and a counting sort, so reading the slots in
 * order gives the tape order backwards. The sweep reads the slots themselves (a sweep started inside this one, from
 * a user's backward, takes slots of its own); `done` empties them for the next sweep.
 */
function collect(roots: readonly Node[], stop: ReadonlySet<Node> | null): Order {
  // A root that is also a stopping point passes nothing on either.
  const start = roots.filter((r) => !r.isLeaf && (stop === null || !stop.has(r)));
  let top = -1;
  for (const r of start) if (entrySeq(r) > top) top = entrySeq(r);
  if (top < 0) return NO_ORDER;
  const slots = spareSlots ?? [];
  spareSlots = null;
  const stack: Node[] = start.slice();
  let count = 0;
  let last = -1;
  const done = () => {
    for (let i = 0; i <= last; i++) slots[i] = undefined;
    if (slots.length <= KEPT_SLOTS) spareSlots = slots;
  };
  try {
    while (stack.length > 0) {
      const node = stack.pop()!;
      const seq = entrySeq(node);
      const at = top - seq;
      if (at >= slots.length) {
        if (at > 4 * count + SPARSE_SLACK) {
          done();
          return collectSparse(roots, stop);
        }
        while (slots.length <= at) slots.push(undefined);
      } else if (slots[at] === node) continue;
      slots[at] = node;
      count++;
      if (at > last) last = at;
      checkEntry(node);
      for (let i = 0, n = entryArity(node); i < n; i++) {
        const x = inputAt(entryInput(node, i), seq);
        // An input reached before is not pushed again (most activations feed several ops).
        if (!x.isLeaf && x.requiresGrad && slots[top - entrySeq(x)] !== x && (stop === null || !stop.has(x))) stack.push(x);
      }
    }
  } catch (e) {
    done();
    throw e;
  }
  return { nodes: slots, length: last + 1, done };
}

/** `collect` for a graph whose entries lie far apart on the tape: a set for the visited mark, then a sort. */
function collectSparse(roots: readonly Node[], stop: ReadonlySet<Node> | null): Order {
  const seen = new Set<Node>();
  const stack: Node[] = roots.filter((r) => !r.isLeaf && (stop === null || !stop.has(r)));
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    checkEntry(node);
    for (let i = 0, n = entryArity(node); i < n; i++) {
      const x = inputAt(entryInput(node, i), entrySeq(node));
      if (!x.isLeaf && x.requiresGrad && !seen.has(x) && (stop === null || !stop.has(x))) stack.push(x);
    }
  }
  const nodes = [...seen].sort((a, b) => entrySeq(b) - entrySeq(a));
  return { nodes, length: nodes.length, done() {} };
}
