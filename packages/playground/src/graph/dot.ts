/**
 * The recorded tape of a Scalar graph as Graphviz DOT, with stable element ids so the page can highlight
 * the entry a sweep step is at without laying the graph out again. Built from `tapeOf` rather than core's
 * `toDot` because the page wants rounded numbers and ids on every node and edge.
 */
import { type Node, Scalar, tapeOf } from '@tapegrad/core';

/** A number as the page shows it: six significant digits, so 110.00000000000001 reads 110. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const rounded = Number(v.toPrecision(6));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A number that core formatted as text (explainSteps reports strings), rounded the same way. */
export function formatNumberText(s: string): string {
  const v = Number(s);
  return Number.isNaN(v) ? s : formatNumber(v);
}

export const valueId = (n: Node): string => `v${n.id}`;
export const opId = (seq: number): string => `op${seq}`;
export const edgeId = (seq: number, inputIndex: number): string => `e${seq}_${inputIndex}`;

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Record labels treat these as structure; escape them in text fields. */
function recordText(s: string): string {
  return s.replace(/([{}|<>])/g, '\\$1');
}

/**
 * The third field of a value's record: its name ('grad', or 'tangent' for a forward sweep) and each value's number in
 * it (null: none yet, drawn as a dash).
 */
export interface DerivativeField {
  readonly name: 'grad' | 'tangent';
  readonly of: (n: Node) => number | null;
}

/** The gradient the last backward left on each value. */
export const GRADIENTS: DerivativeField = {
  name: 'grad',
  of: (n) => (n instanceof Scalar && n.gradNode !== null ? n.gradNode.value : null),
};

/** The text of a value's derivative field: `grad 2.2`, `tangent 1`, or a dash when there is no number yet. */
export function fieldText(name: DerivativeField['name'], v: number | null): string {
  return `${name} ${v === null ? '–' : formatNumber(v)}`;
}

function valueLine(n: Node, field: DerivativeField): string {
  const value = formatNumber(n.item());
  if (!n.requiresGrad) {
    return `  ${valueId(n)} [id=${quote(valueId(n))}, class="constant", shape=box, style="rounded,dashed", label=${quote(recordText(value))}];`;
  }
  const label = `{ ${recordText(n.label)} | value ${recordText(value)} | ${recordText(fieldText(field.name, field.of(n)))} }`;
  const kind = n.isLeaf ? 'leaf' : 'value';
  return `  ${valueId(n)} [id=${quote(valueId(n))}, class=${quote(kind)}, shape=record, label=${quote(label)}];`;
}

/**
 * DOT for the tape of `root`: value nodes as records (name | value | grad, or tangent for a forward sweep), op nodes
 * as ellipses named by op and position on this graph's tape (1 = recorded first), constants as dashed boxes.
 * @example
 * const svg = (await Graphviz.load()).dot(tapeToDot(price));
 */
export function tapeToDot(root: Node, field: DerivativeField = GRADIENTS): string {
  const lines = [
    'digraph tape {',
    '  rankdir=LR;',
    '  bgcolor="transparent";',
    '  node [fontname="Helvetica", fontsize=12];',
    '  edge [color="#667085"];',
  ];
  const drawn = new Set<Node>();
  const value = (n: Node): string => {
    if (!drawn.has(n)) {
      drawn.add(n);
      lines.push(valueLine(n, field));
    }
    return valueId(n);
  };
  tapeOf(root).forEach((row, position) => {
    const op = opId(row.seq);
    lines.push(`  ${op} [id=${quote(op)}, class="op", shape=ellipse, label=${quote(`${row.op} #${position + 1}`)}];`);
    row.inputs.forEach((x, i) => lines.push(`  ${value(x)} -> ${op} [id=${quote(edgeId(row.seq, i))}];`));
    lines.push(`  ${op} -> ${value(row.output)} [id=${quote(`${op}_out`)}];`);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}
