/**
 * The reverse sweep over a graph of Scalars when only gradient values are wanted: every gradient is a plain
 * number. An op's `gradient` rule runs on numbers (see grad-math.ts); an op with only a node `backward` (a user's
 * op) gets its upstream gradient as a Scalar and hands back Scalars, whose values are taken. Same entries in the
 * same order as the node sweep (decreasing sequence number), so the same sums, bit for bit.
 *
 * A micrograd-sized graph is tens of thousands of tiny entries, so what costs here is memory traffic and garbage,
 * not arithmetic (measured on W3 of `pnpm bench`):
 * - the sums live in one Float64Array and a node's `_pending` holds its slot: a number kept in a node field is
 *   boxed, one heap allocation per addition; a rule adds each gradient straight into it (`m.inputGrad`);
 * - the arrays a sweep works in are kept for the next sweep, so a graph swept every training step does not grow
 *   them from empty each time (they stay as large as the largest graph swept, up to KEPT_LIMIT slots);
 * - the graph is not gathered and sorted first: entries wait in a bucket array indexed by their distance from the
 *   newest root's sequence number, so one upward scan meets them in decreasing sequence order. An entry is placed
 *   when its output first receives a gradient; every consumer of that output was recorded later, so it sits lower
 *   in the array and has run by the time the scan reaches the entry.
 */
import type { OpContext } from './context.js';
import { NumberMath, NumberSink, checkReturn } from './grad-math.js';
import type { Node } from './node.js';
import { entryContext, entrySeq, forgetReader, releaseEntry } from './inline-entry.js';
import { SweepRequest, checkCount, checkGradShape } from './backward.js';

/**
 * Runs the numeric sweep. Returns the targets' gradients when the request names targets (no `.grad` touched),
 * else adds each node's gradient into its `.grad` and returns an empty list. `gather` lists the reachable
 * entries in decreasing sequence order (checked), for graphs whose entries are too far apart in sequence
 * numbers for the bucket array (a value recorded long before the rest of the graph).
 */
export function sweepNumbers(req: SweepRequest, retain: boolean, gather: () => OpContext[]): Node[] {
  const state = spare ?? new SweepState();
  // A sweep started inside this one (from a user's backward) gets state of its own.
  spare = null;
  try {
    state.seed(req);
    if (!scanBuckets(req.roots, retain, state)) {
      // Nothing outside this sweep has changed yet (releases wait for the end), so starting over is safe.
      state.clear();
      state.seed(req);
      const entries = gather();
      for (const entry of entries) runEntry(entry, state);
      if (!retain) for (const entry of entries) entry._release();
    }
    if (req.targets) return req.targets.map((t) => (t._pending === null ? t.zerosLike() : t.make(state.values[t._pending as number])));
    for (let i = 0; i < state.count; i++) state.nodes[i]._accumulateGradValue(state.values[i]);
    return [];
  } finally {
    state.clear();
    forgetReader();
    if (state.buckets.length <= KEPT_LIMIT && state.values.length <= KEPT_LIMIT) spare = state;
  }
}

const FIRST_BUCKETS = 1024;
// State grown past this many slots (a graph of millions of Scalar ops) is dropped after its sweep, not kept.
const KEPT_LIMIT = 1 << 20;
// A scan may walk empty buckets, but not many more than it has entries: past this it gives up for `gather`.
const SPREAD_ALLOWED = 8;
const SPREAD_SLACK = 65536;

/**
 * The one-pass sweep; false (having run no user code) when the graph is too spread out in sequence numbers.
 * The buckets hold output nodes, each standing for the entry that produced it (an OpContext, or an entry kept
 * inline in the node, see inline-entry.ts).
 */
function scanBuckets(roots: readonly Node[], retain: boolean, state: SweepState): boolean {
  let top = -1;
  for (const r of roots) if (!r.isLeaf && entrySeq(r) > top) top = entrySeq(r);
  if (top < 0) return true;
  const buckets = state.buckets;
  let ranUserCode = false;
  // Puts `node` in its entry's bucket; false when it lies too far past the scan at `i` (see SPREAD_ALLOWED).
  const place = (node: Node, i: number): boolean => {
    const at = top - entrySeq(node);
    if (at >= buckets.length) {
      if (!ranUserCode && at > SPREAD_ALLOWED * (i + 1) + SPREAD_SLACK) return false;
      grown(buckets, at + 1);
    }
    buckets[at] = node;
    if (at > state.last) state.last = at;
    return true;
  };
  for (const r of roots) if (!r.isLeaf && !place(r, 0)) return false;
  for (let i = 0; i <= state.last; i++) {
    const node = buckets[i];
    if (node === undefined) continue;
    const entry = entryContext(node);
    ranUserCode = runEntry(entry, state) || ranUserCode;
    const inputs = entry.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const x = inputs[k];
      if (x._pending !== null && !x.isLeaf && !place(x, i)) return false;
    }
  }
  if (!retain) {
    for (let j = 0; j <= state.last; j++) {
      const node = buckets[j];
      if (node !== undefined) releaseEntry(node);
    }
  }
  return true;
}

/** Runs one entry's rule on numbers and adds its input gradients; true when it ran a user's node backward. */
function runEntry(entry: OpContext, state: SweepState): boolean {
  entry._checkUsable();
  const out = entry.output!;
  const slot = out._pending as number | null;
  if (slot === null) return false;
  const gy = state.values[slot];
  const rule = entry.op.gradient;
  if (rule !== undefined) {
    const m = state.math;
    m.entry = entry;
    checkReturn(entry, rule(m, entry, gy));
    return false;
  }
  const grads = entry.op.backward(entry, out.make(gy));
  checkCount(entry, grads);
  const inputs = entry.inputs;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    const g = grads[i];
    if (g !== null && g !== undefined && x.requiresGrad) state.add(x, checkGradShape(g, x, entry, i).raw as number);
  }
  return true;
}

/** Lengthened in place by pushing, so the array stays a fast (non-dictionary) one at any length. */
function grown(buckets: Array<Node | undefined>, needed: number): Array<Node | undefined> {
  const length = Math.max(needed, 2 * buckets.length);
  while (buckets.length < length) buckets.push(undefined);
  return buckets;
}

/** What one sweep works in: the bucket array, and the gradient sums with the node each slot belongs to. */
class SweepState implements NumberSink {
  readonly buckets = grown([], FIRST_BUCKETS);
  /** The highest bucket in use (-1: none). */
  last = -1;
  values = new Float64Array(FIRST_BUCKETS);
  /** `nodes[slot]` is the node whose gradient `values[slot]` sums, for the first `count` slots. */
  readonly nodes: Node[] = [];
  count = 0;
  readonly math = new NumberMath(this);

  seed(req: SweepRequest): void {
    for (let i = 0; i < req.roots.length; i++) this.add(req.roots[i], req.seeds[i].raw as number);
  }

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

  /** Empties the state for the next sweep, letting go of every node it held. */
  clear(): void {
    const nodes = this.nodes;
    for (let i = 0; i < this.count; i++) {
      nodes[i]._pending = null;
      nodes[i] = null!;
    }
    this.count = 0;
    for (let j = 0; j <= this.last; j++) this.buckets[j] = undefined;
    this.last = -1;
    this.math.entry = null;
  }
}

let spare: SweepState | null = null;
