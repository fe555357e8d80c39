/**
 * The reverse sweep of a Scalar graph as the steps the page walks through: core's `explainSteps` (the
 * chain-rule products in sweep order) joined with the ids of the drawn elements each step touches.
 */
import { type Scalar, explainSteps, tapeOf } from '@tapegrad/core';
import { edgeId, formatNumberText, opId, valueId } from './dot.js';

export interface SweepStep {
  /** Position of the tape entry on this graph's tape (1 = recorded first), as drawn on the op node. */
  readonly position: number;
  readonly op: string;
  readonly output: string;
  readonly input: string;
  /** d root / d output, d output / d input, and their product, rounded for display. */
  readonly upstream: string;
  readonly local: string;
  readonly product: string;
  /** The input's total so far when it collects gradient from several paths, else null. */
  readonly runningSum: string | null;
  /** SVG element ids: the op node, the edge from the input into it, and the two value nodes. */
  readonly ids: { readonly op: string; readonly edge: string; readonly input: string; readonly output: string };
}

/**
 * The steps of the sweep from `root`, latest tape entry first. Call before `root.backward()`: explaining
 * needs the saved values that a plain backward releases.
 * @example
 * const steps = sweepSteps(price); steps[0].product;   // '1.1': d price/d all_price
 */
export function sweepSteps(root: Scalar): SweepStep[] {
  const rows = tapeOf(root);
  const position = new Map(rows.map((r, i) => [r.seq, i + 1]));
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  return explainSteps(root).steps.map((s) => {
    const row = bySeq.get(s.seq)!;
    return {
      position: position.get(s.seq)!,
      op: s.op,
      output: s.output,
      input: s.input,
      upstream: formatNumberText(s.upstream),
      local: s.local === null ? 'Jᵀ' : formatNumberText(s.local),
      product: formatNumberText(s.product),
      runningSum: s.runningSum === null ? null : formatNumberText(s.runningSum),
      ids: { op: opId(s.seq), edge: edgeId(s.seq, s.inputIndex), input: valueId(row.inputs[s.inputIndex]), output: valueId(row.output) },
    };
  });
}

/**
 * One step as a sentence: `#4 mul: ∂price/∂tax = ∂price/∂price × ∂price/∂tax = 1 × 650 = 650`.
 * A second path into the same node reads `+=` and ends with the running sum.
 */
export function describeStep(root: string, s: SweepStep): string {
  const d = (a: string, b: string) => `∂${a}/∂${b}`;
  const assign = s.runningSum === null ? '=' : '+=';
  const main = `#${s.position} ${s.op}: ${d(root, s.input)} ${assign} ${d(root, s.output)} × ${d(s.output, s.input)} = ${s.upstream} × ${s.local} = ${s.product}`;
  return s.runningSum === null ? main : `${main}; running sum ${d(root, s.input)} = ${s.runningSum}`;
}
