/**
 * Inspecting a recorded graph: the entries that produced a node, in tape order, as rows, as text and as
 * Graphviz DOT (what the examples print and the docs draw).
 */
import type { OpContext } from './autodiff/context.js';
import type { Node, RawValue } from './autodiff/node.js';
import { TapegradError, formatShape } from './errors.js';
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

/** Options of {@link toDot}. @example toDot(loss, { title: 'mlp', digits: 4 }) */
export interface DotOptions {
  /** The graph's name (default 'tapegrad'). */
  readonly title?: string;
  /** Significant digits of the values and gradients shown (default 6): 220.00000000000003 is written 220. */
  readonly digits?: number;
  /** Writes each number instead of `digits`; `String` gives the exact values (715.0000000000001). */
  readonly format?: (x: number) => string;
}

/**
 * `x` as a person writes it, to `digits` significant digits: integers in full, numbers from 1e-4 to 1e6 in plain
 * notation without trailing zeros (3.3000000000000003 -> 3.3), others in exponent notation (1.5e-7).
 */
function readable(x: number, digits: number): string {
  if (!Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) < 1e15)) return String(x);
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e6) return String(Number(x.toPrecision(digits)));
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  return `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}e${exponent}`;
}

function writer(options: DotOptions): (x: number) => string {
  if (options.format !== undefined) return options.format;
  const digits = options.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new TapegradError(`toDot: digits must be a whole number from 1 to 17, got ${digits}`);
  }
  return (x) => readable(x, digits);
}

/** A value as toDot shows it: a number, nested arrays of up to 8 numbers, or the dtype and shape of a larger tensor. */
function formatRaw(raw: RawValue, write: (x: number) => string): string {
  if (typeof raw === 'number') return write(raw);
  if (raw.size === 1) return write(raw.data[0]);
  if (raw.size > 8) return `${raw.dtype}${formatShape(raw.shape)}`;
  const nest = (axis: number, offset: number): string => {
    if (axis === raw.shape.length) return write(raw.data[offset]);
    const stride = raw.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return `[${Array.from({ length: raw.shape[axis] }, (_, i) => nest(axis + 1, offset + i * stride)).join(',')}]`;
  };
  return nest(0, 0);
}

/** The accumulated gradient as toDot shows it, '-' when there is none. */
function formatGradient(n: Node, write: (x: number) => string): string {
  if (n._grad !== null) return formatRaw(n._grad.raw, write);
  // A Scalar summed by the number sweep holds its gradient as a number, which formatGrad writes exactly.
  const text = n.formatGrad();
  return text === '-' ? text : write(Number(text));
}

/**
 * The graph of `root` as Graphviz DOT: value nodes (boxes with value and gradient) and op nodes (ellipses).
 * Numbers are shown to 6 significant digits unless `digits` or `format` say otherwise; a string as the second
 * argument is the title.
 * @example
 * writeFileSync('graph.dot', toDot(loss));
 * toDot(price, { title: 'apple-orange', format: String });   // exact values: 715.0000000000001
 */
export function toDot(root: Node, options: string | DotOptions = {}): string {
  const { title = 'tapegrad', ...rest } = typeof options === 'string' ? { title: options } : options;
  const write = writer(rest);
  const lines = [`digraph ${quote(title)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  const values = new Set<Node>();
  const valueNode = (n: Node): string => {
    const id = `v${n.id}`;
    if (!values.has(n)) {
      values.add(n);
      const shape = n.shape.length === 0 ? '' : ` ${formatShape(n.shape)}`;
      const text = `{ ${n.label}${shape} | value ${formatRaw(n.raw, write)} | grad ${formatGradient(n, write)} }`;
      lines.push(`  ${id} [shape=record, label=${quote(text)}];`);
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
