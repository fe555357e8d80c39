/**
 * Printing values the way PyTorch prints tensors (torch/_tensor_str.py's rules): one number format for the whole
 * tensor (integers as `1.`, otherwise 4 decimals, scientific when the magnitudes span more than 1000x or leave
 * [1e-4, 1e8]), right-aligned to a common width, rows wrapped at 80 columns, and only the first and last 3 entries
 * of each axis when there are more than 1000 elements. NaN and infinities keep their JavaScript spellings.
 */
import type { DType, TypedArray } from './dtype.js';
import { stridesOf } from './shape.js';

const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/**
 * `prefix(values, suffix1, suffix2...)`, e.g. `tensor([1., 2.], shape=[2], dtype=float64)`, with rows aligned
 * under the first one and each suffix moved to a line of its own when it would pass the line width.
 */
export function formatWithValues(
  prefix: string,
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  suffixes: readonly string[],
): string {
  const indent = prefix.length + 1;
  const summarize = data.length > THRESHOLD;
  const strides = stridesOf(shape);
  const element = elementFormatter(shownValues(data, shape, strides, summarize), dtype);
  let text = `${prefix}(${shape.length === 0 ? element(data[0]) : block(data, shape, strides, 0, 0, indent, summarize, element)}`;
  let lastLine = text.length - text.lastIndexOf('\n') - 1;
  for (const suffix of suffixes) {
    if (lastLine + suffix.length + 2 > LINE_WIDTH) {
      text += `,\n${' '.repeat(indent)}${suffix}`;
      lastLine = indent + suffix.length;
    } else {
      text += `, ${suffix}`;
      lastLine += suffix.length + 2;
    }
  }
  return `${text})`;
}

/** The entries kept along an axis of size n: all, or the first and last EDGE_ITEMS with null for the gap. */
function kept(n: number, summarize: boolean): Array<number | null> {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i);
  return [...head, null, ...tail];
}

/** The values that will be printed (what the common format and width are chosen from). */
function shownValues(data: TypedArray, shape: readonly number[], strides: readonly number[], summarize: boolean): number[] {
  if (!summarize) return Array.from(data);
  const out: number[] = [];
  const walk = (offset: number, dim: number): void => {
    if (dim === shape.length) {
      out.push(data[offset]);
      return;
    }
    for (const i of kept(shape[dim], true)) if (i !== null) walk(offset + i * strides[dim], dim + 1);
  };
  walk(0, 0);
  return out;
}

function block(
  data: TypedArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  dim: number,
  indent: number,
  summarize: boolean,
  element: Formatter,
): string {
  const entries = kept(shape[dim], summarize);
  const pad = ' '.repeat(indent + dim);
  if (dim === shape.length - 1) {
    const items = entries.map((i) => (i === null ? ' ...' : element(data[offset + i * strides[dim]])));
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent - dim) / (element.width + 2)));
    const lines: string[] = [];
    for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(', '));
    return `[${lines.join(`,\n${pad} `)}]`;
  }
  const rows = entries.map((i) =>
    i === null ? '...' : block(data, shape, strides, offset + i * strides[dim], dim + 1, indent, summarize, element),
  );
  return `[${rows.join(`,${'\n'.repeat(shape.length - dim - 1)}${pad} `)}]`;
}

interface Formatter {
  (v: number): string;
  readonly width: number;
}

function elementFormatter(values: readonly number[], dtype: DType): Formatter {
  let text: (v: number) => string;
  if (dtype === 'int32') text = String;
  else {
    let min = Infinity;
    let max = 0;
    let integers = true;
    for (const v of values) {
      if (!Number.isFinite(v) || v === 0) continue;
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (!Number.isInteger(v)) integers = false;
    }
    const any = max > 0;
    const scientific = any && (max / min > 1000 || max > 1e8 || (!integers && min < 1e-4));
    const finite = scientific ? scientificText : integers ? (v: number) => `${v.toFixed(0)}.` : (v: number) => v.toFixed(4);
    text = (v) => (Number.isFinite(v) ? finite(v) : String(v));
  }
  let width = 0;
  for (const v of values) width = Math.max(width, text(v).length);
  return Object.assign((v: number) => text(v).padStart(width), { width });
}

/** `1.2346e+08`: four decimals and an exponent of at least two digits, as Python's `{:.4e}`. */
function scientificText(v: number): string {
  const [mantissa, exponent] = v.toExponential(4).split('e');
  const sign = exponent[0];
  const digits = exponent.slice(1);
  return `${mantissa}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
}
