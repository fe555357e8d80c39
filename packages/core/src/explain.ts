/**
 * explain(y): the reverse sweep that produces y's gradients, told one chain-rule step at a time, in tape
 * order: d y/d input = d y/d output (upstream) x d output/d input (local) = product, with the running sum
 * where a node collects gradient from several paths. Plain text, Markdown with LaTeX, or JSON.
 */
import { type SweepObserver, sweep } from './autodiff/backward.js';
import type { OpContext } from './autodiff/context.js';
import type { Node } from './autodiff/node.js';
import { GradError } from './errors.js';

/** One chain-rule step of the sweep: one input receiving one contribution. */
export interface ExplainStep {
  /** The tape position of the entry whose rule ran. */
  readonly seq: number;
  /** The op's name. */
  readonly op: string;
  /** The op's output (the node the upstream gradient belongs to). */
  readonly output: string;
  /** The input receiving this contribution, and its position among the op's inputs. */
  readonly input: string;
  /** The input's position among the op's inputs. */
  readonly inputIndex: number;
  /** d root / d output. */
  readonly upstream: string;
  /** d output / d input, for Scalar graphs (for tensors the rule applies a Jacobian-transpose product: null). */
  readonly local: string | null;
  /** upstream x local: this path's contribution to d root / d input. */
  readonly product: string;
  /** The total so far when the input collects from more than one path, else null. */
  readonly runningSum: string | null;
}

/** What `explainSteps` returns. */
export interface Explanation {
  /** The label of the node being differentiated. */
  readonly root: string;
  /** Every step, in the order the sweep ran them. */
  readonly steps: readonly ExplainStep[];
  /** The final d root / d node of every node that received a gradient, in the order they were first reached. */
  readonly gradients: Readonly<Record<string, string>>;
}

/** How `explain` renders: plain text, Markdown with LaTeX, or JSON. */
export type ExplainFormat = 'text' | 'markdown' | 'json';

function tex(label: string): string {
  return `\\mathrm{${label
    .replace(/[\\{}]/g, '')
    .replace(/_/g, '\\_')
    .replace(/%/g, '\\%')}}`;
}

/** Runs the sweep with an observer, leaving every `.grad` untouched and the graph retained. */
export function explainSteps(root: Node): Explanation {
  if (!root.requiresGrad || root.creator === null)
    throw new GradError(`explain: ${root.label} was not produced by a recorded op, so there is no sweep to explain`);
  if (root.size !== 1) throw new GradError(`explain: ${root.label} must hold a single value`);
  const steps: ExplainStep[] = [];
  const totals = new Map<Node, Node>();
  const seen = new Map<Node, number>();
  const observer: SweepObserver = {
    step(entry: OpContext, gy: Node, grads: ReadonlyArray<Node | null>) {
      const one = gy.constant(1);
      const scalarGraph = gy.size === 1 && entry.inputs.every((x) => x.size === 1) && gy.shape.length === 0;
      const locals = scalarGraph ? entry.op.backward(entry, one) : null;
      grads.forEach((g, i) => {
        if (g === null) return;
        const x = entry.inputs[i];
        const count = (seen.get(x) ?? 0) + 1;
        seen.set(x, count);
        const total = totals.has(x) ? totals.get(x)!.add(g) : g;
        totals.set(x, total);
        const local = locals?.[i];
        steps.push({
          seq: entry.seq,
          op: entry.op.name,
          output: entry.output!.label,
          input: x.label,
          inputIndex: i,
          upstream: gy.formatValue(),
          local: local ? local.formatValue() : null,
          product: g.formatValue(),
          runningSum: count > 1 ? total.formatValue() : null,
        });
      });
    },
  };
  const seed = root.zerosLike().add(1);
  sweep({ roots: [root], seeds: [seed], targets: [], retainGraph: true, observer });
  const gradients: Record<string, string> = { [root.label]: seed.formatValue() };
  for (const [n, g] of totals) gradients[n.label] = g.formatValue();
  return { root: root.label, steps, gradients };
}

function textLine(root: string, s: ExplainStep): string {
  const local = s.local === null ? `J^T` : `d ${s.output}/d ${s.input} (${s.local})`;
  const line = `#${s.seq} ${s.op}: d ${root}/d ${s.input} += d ${root}/d ${s.output} (${s.upstream}) x ${local} = ${s.product}`;
  return s.runningSum === null ? line.replace(' += ', ' = ') : `${line}; running sum d ${root}/d ${s.input} = ${s.runningSum}`;
}

function markdownLine(root: string, s: ExplainStep): string {
  const d = (a: string, b: string) => `\\frac{\\partial ${tex(a)}}{\\partial ${tex(b)}}`;
  const local = s.local === null ? `J^\\top` : d(s.output, s.input);
  const values = s.local === null ? s.upstream : `${s.upstream} \\times ${s.local}`;
  const sum = s.runningSum === null ? '' : ` (running sum: ${s.runningSum})`;
  return `- step ${s.seq} (\`${s.op}\`): $${d(root, s.input)} \\mathrel{${s.runningSum === null ? '=' : '+='}} ${d(root, s.output)} \\cdot ${local} = ${values} = ${s.product}$${sum}`;
}

/**
 * The chain rule applied step by step to the graph of `root`, in tape order (latest op first, as the sweep runs).
 * Does not change any `.grad`; the graph must not have been released (call it before a plain backward, or
 * use `backward({ retainGraph: true })`).
 * @example
 * console.log(explain(price));
 * // #4 mul: d price/d tax = d price/d price (1) x d price/d tax (650) = 650 ...
 */
export function explain(root: Node, format: ExplainFormat = 'text'): string {
  const e = explainSteps(root);
  if (format === 'json') return JSON.stringify(e, null, 2);
  const lines = e.steps.map((s) => (format === 'markdown' ? markdownLine(e.root, s) : textLine(e.root, s)));
  const finals = Object.entries(e.gradients).map(([k, v]) => (format === 'markdown' ? `| ${k} | ${v} |` : `  d ${e.root}/d ${k} = ${v}`));
  if (format === 'markdown') return [...lines, '', `| node | d ${e.root}/d node |`, '| --- | --- |', ...finals].join('\n');
  return [...lines, 'gradients:', ...finals].join('\n');
}
