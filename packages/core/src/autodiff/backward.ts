/**
 * The reverse sweep. Recording order is a topological order, so the sweep gathers the tape entries reachable
 * from the roots (an explicit stack, never recursion: a chain of a million ops works), runs them in
 * decreasing sequence number, and sums each rule's input gradients into the inputs. The order of every sum
 * is fixed by the tape, so the same program gives bit-identical gradients on every run.
 */
import { AnomalyError, GradError, ShapeError, formatShape } from '../errors.js';
import { broadcastsTo, sameShape } from '../ndarray/shape.js';
import { OpContext, forwardTraces } from './context.js';
import { checkFinite } from './finite.js';
import { inputAt } from './in-place.js';
import { mode } from './mode.js';
import { sweepNumbers } from './number-sweep.js';
import { Node } from './node.js';

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

export interface SweepRequest extends BackwardOptions {
  readonly roots: readonly Node[];
  readonly seeds: readonly Node[];
  /** When given, their gradients are returned and no `.grad` is touched (the functional API). */
  readonly targets?: readonly Node[];
  readonly observer?: SweepObserver;
}

/** A helper the kinds provide: sums a broadcast gradient back to `shape` and casts it to `dtype`, differentiably. */
export type Conform = (grad: Node, like: Node) => Node;

let conform: Conform = (g) => g;
let sweepMark = 0;

/** @internal installed by the Tensor module: the differentiable sum-to-shape the sweep uses. */
export function setConform(fn: Conform): void {
  conform = fn;
}

/**
 * Gathers the entries reachable from the roots, checking each as it is reached (released graph, values
 * mutated since they were saved): all before any rule runs, so a refused backward leaves the graph as it was.
 */
function collect(roots: readonly Node[], mark: number): OpContext[] {
  const entries: OpContext[] = [];
  const stack: OpContext[] = [];
  for (const r of roots) if (r.creator !== null) stack.push(r.creator);
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c._mark === mark) continue;
    c._mark = mark;
    c._checkUsable();
    entries.push(c);
    const inputs = c.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const x = inputAt(inputs[i], c.seq);
      const xc = x.creator;
      if (xc !== null && xc._mark !== mark && x.requiresGrad) stack.push(xc);
    }
  }
  return sortBySeqDescending(entries);
}

/** Sequence numbers are dense integers in practice, so a counting placement beats a comparison sort. */
function sortBySeqDescending(entries: OpContext[]): OpContext[] {
  const n = entries.length;
  if (n < 2) return entries;
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of entries) {
    if (e.seq < lo) lo = e.seq;
    if (e.seq > hi) hi = e.seq;
  }
  const range = hi - lo + 1;
  if (range > 4 * n + 1024) return entries.sort((a, b) => b.seq - a.seq);
  const slots = new Array<OpContext | undefined>(range);
  for (const e of entries) slots[hi - e.seq] = e;
  // Written back into `entries` (same length): the sweep's garbage is what triggers its garbage collections.
  let k = 0;
  for (let i = 0; i < range; i++) {
    const e = slots[i];
    if (e !== undefined) entries[k++] = e;
  }
  return entries;
}

function addPending(node: Node, g: Node, touched: Node[]): void {
  const pending = node._pending as Node | null;
  if (pending === null) {
    node._pending = g;
    touched.push(node);
  } else {
    node._pending = pending.add(g);
  }
}

/** @internal a rule's gradient for input `i`, checked and summed back to the input's shape. */
export function checkGradShape(g: Node, x: Node, entry: OpContext, i: number): Node {
  if (g.constructor !== x.constructor) {
    throw new GradError(`${entry.op.name}: backward returned a ${g.constructor.name} gradient for ${x.constructor.name} input ${i}`);
  }
  if (sameShape(g.shape, x.shape) && g.dtype === x.dtype) return g;
  if (!broadcastsTo(x.shape, g.shape)) {
    throw new ShapeError(
      `${entry.op.name}: backward returned a gradient of shape ${formatShape(g.shape)} for input ${i} of shape ` +
        `${formatShape(x.shape)}, which does not broadcast to it`,
    );
  }
  return conform(g, x);
}

/** Runs one reverse sweep. Returns the targets' gradients (or an empty list when there are no targets). */
export function sweep(req: SweepRequest): Node[] {
  const createGraph = req.createGraph ?? false;
  const retain = req.retainGraph ?? createGraph;
  // Over Scalars, when only values are wanted, gradients travel as plain numbers; explain (an observer)
  // and anomaly mode look at each gradient node, so they take the node path.
  const numeric = !createGraph && !req.observer && !mode.anomaly && req.roots.every((r) => typeof r.raw === 'number');
  const touched: Node[] = [];
  const wasRecording = mode.grad;
  try {
    if (numeric) {
      mode.grad = false;
      return sweepNumbers(req, retain, () => collect(req.roots, ++sweepMark));
    }
    const entries = collect(req.roots, ++sweepMark);
    mode.grad = createGraph;
    sweepNodes(req, entries, retain, touched);
    if (req.targets) return req.targets.map((t) => (t._pending as Node | null) ?? t.zerosLike());
    for (const n of touched) n._accumulateGrad(n._pending as Node);
    return [];
  } finally {
    for (const n of touched) n._pending = null;
    mode.grad = wasRecording;
    mode.backwardOf = null;
  }
}

/** @internal refuses a rule that returned the wrong number of gradients. */
export function checkCount(entry: OpContext, grads: ArrayLike<unknown>): void {
  if (grads.length !== entry.inputs.length) {
    throw new GradError(`${entry.op.name}: backward returned ${grads.length} gradients for ${entry.inputs.length} inputs`);
  }
}

function sweepNodes(req: SweepRequest, entries: readonly OpContext[], retain: boolean, touched: Node[]): void {
  for (let i = 0; i < req.roots.length; i++) addPending(req.roots[i], req.seeds[i], touched);
  for (const entry of entries) {
    const gy = entry.output!._pending as Node | null;
    if (gy === null) continue;
    mode.backwardOf = entry;
    const grads = entry.op.backward(entry, gy);
    mode.backwardOf = null;
    checkCount(entry, grads);
    const inputs = entry.inputs;
    const observed: Array<Node | null> | null = req.observer ? [] : null;
    for (let i = 0; i < inputs.length; i++) {
      // The version of the input this entry saw, should it have been changed in place since (in-place.ts).
      const x = inputAt(inputs[i], entry.seq);
      let g = grads[i];
      if (!x.requiresGrad || g === null || g === undefined) {
        observed?.push(null);
        continue;
      }
      g = checkGradShape(g, x, entry, i);
      if (mode.anomaly) {
        const bad = checkFinite(g);
        if (bad) {
          throw new AnomalyError(
            `${entry.op.name} backward produced ${bad} in the gradient of input ${i} (${x.label}, shape ${formatShape(x.shape)})` +
              (forwardTraces.has(entry) ? `\nThe forward of that ${entry.op.name} was called at:\n${forwardTraces.get(entry)}` : ''),
          );
        }
      }
      observed?.push(g);
      addPending(x, g, touched);
    }
    if (observed) req.observer!.step(entry, gy, observed);
  }
  // Released only once every rule has run: a sweep that throws part-way leaves the graph as it found it.
  if (!retain) for (const entry of entries) entry._release();
}
