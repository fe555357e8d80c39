/**
 * The forward sweep (forward mode) of a drawn program as the steps the page walks through. The program runs again
 * inside `jvp`, the chosen input's tangent 1 and every other input's 0, so each value comes with its tangent, its
 * derivative by that input, from the engine's tangent rules; each step is one tape entry in recording order: its
 * output's tangent, from its inputs' tangents.
 */
import { type Node, type Scalar, jvp, tapeOf } from '@tapegrad/core';
import type { BuiltGraph } from './build.js';
import { edgeId, formatNumber, opId, valueId } from './dot.js';

export interface ForwardStep {
  /** Position of the tape entry on this graph's tape (1 = recorded first), as drawn on the op node. */
  readonly position: number;
  readonly op: string;
  readonly output: string;
  /** d output / d input, rounded for display. */
  readonly tangent: string;
  /** Each input of the entry that carries a tangent: its name and tangent, rounded. */
  readonly inputs: readonly { readonly name: string; readonly tangent: string }[];
  /** SVG element ids: the op node, the edges into it, its input value nodes and its output value node. */
  readonly ids: { readonly op: string; readonly edges: readonly string[]; readonly inputs: readonly string[]; readonly output: string };
}

export interface ForwardSweep {
  /** The input whose tangent is 1. */
  readonly input: string;
  /** Every drawn value's tangent (d value / d input) by its element id: the inputs' from the start, the rest as computed. */
  readonly tangents: ReadonlyMap<string, number>;
  readonly steps: readonly ForwardStep[];
}

/** A tangent jvp returned for a Scalar output: a Scalar (or, for a value that does not depend on the input, a number). */
const tangentValue = (t: unknown): number => (typeof t === 'number' ? t : (t as Scalar).value);

/**
 * The forward sweep of `graph` from the input `input` (one of its leaves).
 * @example
 * const sweep = forwardSweep(buildGraph('a*b + tanh(c)', 'a=2, b=-3, c=0.5'), 'a');
 * sweep.steps.map((s) => s.tangent);   // ['-3', '0', '-3']: d(a*b)/da, d tanh(c)/da, d out/da
 */
export function forwardSweep(graph: BuiltGraph, input: string): ForwardSweep {
  const names = [...graph.leaves.keys()];
  if (!names.includes(input)) throw new Error(`forwardSweep: '${input}' is not an input of the graph (${names.join(', ')})`);
  const primals = names.map((n) => graph.leaves.get(n)!.value);
  const seeds = names.map((n) => (n === input ? 1 : 0));
  const [, traced] = jvp((...leaves: Scalar[]) => graph.replay(...leaves), primals, seeds);
  const tangents = new Map<string, number>();
  names.forEach((n, i) => tangents.set(valueId(graph.leaves.get(n)!), seeds[i]));
  // The replay computes the same values in the same order as the drawn run: its k-th tangent is the k-th value's.
  graph.trace.forEach((node, k) => tangents.set(valueId(node), tangentValue(traced[k])));
  const shown = (n: Node) => formatNumber(tangents.get(valueId(n)) ?? 0);
  const steps = tapeOf(graph.root).map((row, i): ForwardStep => {
    const carrying = row.inputs.map((x, j) => [x, j] as const).filter(([x]) => x.requiresGrad);
    return {
      position: i + 1,
      op: row.op,
      output: row.output.label,
      tangent: shown(row.output),
      inputs: carrying.map(([x]) => ({ name: x.label, tangent: shown(x) })),
      ids: {
        op: opId(row.seq),
        edges: carrying.map(([, j]) => edgeId(row.seq, j)),
        inputs: carrying.map(([x]) => valueId(x)),
        output: valueId(row.output),
      },
    };
  });
  return { input, tangents, steps };
}

/**
 * One step as a sentence: `#1 mul: ∂apple_price/∂apple = 2, from ∂apple/∂apple = 1 and ∂apple_num/∂apple = 0`.
 */
export function describeForwardStep(input: string, s: ForwardStep): string {
  const d = (a: string) => `∂${a}/∂${input}`;
  const from = s.inputs.map((x) => `${d(x.name)} = ${x.tangent}`);
  const list = from.length <= 1 ? from.join('') : `${from.slice(0, -1).join(', ')} and ${from[from.length - 1]}`;
  return `#${s.position} ${s.op}: ${d(s.output)} = ${s.tangent}, from ${list}`;
}
