/**
 * Inspecting a recorded graph: the entries that produced a node, in tape order, as rows, as text and as
 * Graphviz DOT (what the examples print and the docs draw).
 */
import type { OpContext } from './autodiff/context.js';
import type { Node } from './autodiff/node.js';
import { formatShape } from './errors.js';
import { inputAt } from './autodiff/in-place.js';

/** One tape entry as `tapeOf` lists it. */
export interface TapeRow {
  /** Position on the tape. */
  readonly seq: number;
  /** The op's name. */
  readonly op: string;
  /** The nodes the op was applied to. */
  readonly inputs: readonly Node[];
  /** The node it produced. */
  readonly output: Node;
}

/** The tape entries that `root` depends on, in the order they were recorded. */
export function tapeOf(root: Node): TapeRow[] {
  const seen = new Set<OpContext>();
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const c = stack.pop()!.creator;
    if (c === null || seen.has(c)) continue;
    seen.add(c);
    for (const input of c.inputs) {
      const x = inputAt(input, c.seq);
      if (x.creator !== null) stack.push(x);
    }
  }
  return [...seen].sort((a, b) => a.seq - b.seq).map((c) => ({ seq: c.seq, op: c.op.name, inputs: c.inputs, output: c.output! }));
}

function gradText(n: Node): string {
  return n.formatGrad();
}

function describe(n: Node): string {
  return n.shape.length === 0 ? n.label : `${n.label}${formatShape(n.shape)}`;
}

/**
 * The tape of `root` as text, one line per entry: `#seq out = op(inputs)  value=…  grad=…`.
 * @example
 * console.log(formatTape(price));
 */
export function formatTape(root: Node): string {
  return tapeOf(root)
    .map(
      (r) =>
        `#${r.seq} ${describe(r.output)} = ${r.op}(${r.inputs.map(describe).join(', ')})  value=${r.output.formatValue()}  grad=${gradText(r.output)}`,
    )
    .join('\n');
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The graph of `root` as Graphviz DOT: value nodes (boxes with value and gradient) and op nodes (ellipses).
 * @example
 * writeFileSync('graph.dot', toDot(loss));
 */
export function toDot(root: Node, title = 'tapegrad'): string {
  const lines = [`digraph ${quote(title)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  const values = new Set<Node>();
  const valueNode = (n: Node): string => {
    const id = `v${n.id}`;
    if (!values.has(n)) {
      values.add(n);
      const shape = n.shape.length === 0 ? '' : ` ${formatShape(n.shape)}`;
      lines.push(`  ${id} [shape=record, label=${quote(`{ ${n.label}${shape} | value ${n.formatValue()} | grad ${gradText(n)} }`)}];`);
    }
    return id;
  };
  const rows = tapeOf(root);
  if (rows.length === 0) valueNode(root);
  for (const r of rows) {
    const opId = `op${r.seq}`;
    lines.push(`  ${opId} [shape=ellipse, label=${quote(r.op)}];`);
    for (const x of r.inputs) lines.push(`  ${valueNode(x)} -> ${opId};`);
    lines.push(`  ${opId} -> ${valueNode(r.output)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * PyTorch's name for the function that computes a node's gradient, as printed in `grad_fn=<MulBackward0>`: the
 * op's name capitalised, then `Backward`.
 * @example
 * gradFnName('logSumExp');   // 'LogSumExpBackward'
 */
export function gradFnName(opName: string): string {
  return `${opName.charAt(0).toUpperCase()}${opName.slice(1)}Backward`;
}
