/**
 * einsum and diagonal. einsum is a composite over differentiable ops (diagonal, sum, transpose, reshape, matmul), so
 * its gradients, to any order and in forward mode, come from theirs:
 *   1. each operand takes the diagonal of every repeated label (`ii`), drops the size-1 axes another operand
 *      broadcasts, and sums the labels no other operand and not the output has;
 *   2. operands are contracted left to right, each pair as one batched matmul: the labels both share and something
 *      later needs are batch axes, those only they share are summed by the product;
 *   3. what is left is summed to the output's labels and transposed into their order.
 */
import { DTypeError, ShapeError, TapegradError, formatShape } from '../errors.js';
import { describeValue, normalizeAxis } from '../ndarray/shape.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';

/** Options of {@link diagonal} (torch.diagonal's `offset`, `dim1`, `dim2`). */
export interface DiagonalOptions {
  /** Which diagonal: 0 the main one, > 0 above it (towards axis2's higher indices), < 0 below. Default 0. */
  readonly offset?: number;
  /** The first axis (default 0; negative counts from the end). */
  readonly axis1?: number;
  /** The second axis (default 1). */
  readonly axis2?: number;
}

/**
 * The diagonal x[..., i, ..., i + offset, ...] of two axes, which are removed, as a new last axis (torch.diagonal).
 * Differentiable; its gradient places the diagonal back into zeros.
 * @example
 * diagonal(tensor([[1, 2], [3, 4]])).toArray();                 // [1, 4]
 * diagonal(tensor([[1, 2], [3, 4]]), { offset: 1 }).toArray();  // [2]
 * diagonal(randn([5, 3, 3]), { axis1: 1, axis2: 2 }).shape;     // [5, 3]
 */
export function diagonal(x: Tensor, options: DiagonalOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`diagonal: x must be a Tensor; got ${describeValue(x)}`);
  if (x.rank < 2) throw new ShapeError(`diagonal: x needs at least 2 axes; got shape ${formatShape(x.shape)}`);
  const axis1 = normalizeAxis(options.axis1 ?? 0, x.rank, 'diagonal');
  const axis2 = normalizeAxis(options.axis2 ?? 1, x.rank, 'diagonal');
  const offset = options.offset ?? 0;
  if (axis1 === axis2) throw new ShapeError(`diagonal: axis1 and axis2 must differ; both are ${axis1}`);
  if (!Number.isInteger(offset)) throw new ShapeError(`diagonal: offset must be an integer; got ${describeValue(offset)}`);
  return ops.diagonal(x, { axis1, axis2, offset, shape: x.shape });
}

/** An operand with one label per axis. */
interface Labelled {
  readonly t: Tensor;
  readonly labels: readonly string[];
}

const ELLIPSIS = '...';

/** A term's labels, with `...` kept as one token; letters only. */
function parseTerm(term: string, where: string, equation: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith(ELLIPSIS, i)) {
      if (out.includes(ELLIPSIS)) throw new TapegradError(`einsum: ${where} has two ellipses in "${equation}"`);
      out.push(ELLIPSIS);
      i += 2;
    } else if (/[a-zA-Z]/.test(term[i])) out.push(term[i]);
    else throw new TapegradError(`einsum: "${term[i]}" in ${where} of "${equation}" is not a letter or "..."`);
  }
  return out;
}

/** Axis labels for an operand of `rank`: its letters, with its ellipsis expanded into the last of `width` shared labels. */
function expand(term: readonly string[], rank: number, width: number): string[] {
  const at = term.indexOf(ELLIPSIS);
  if (at === -1) return term.slice();
  const dims = rank - (term.length - 1);
  const ellipsis = Array.from({ length: dims }, (_, i) => String(width - dims + i));
  return [...term.slice(0, at), ...ellipsis, ...term.slice(at + 1)];
}

/** x summed over the axes whose labels `keep` refuses. */
function sumOut(x: Labelled, keep: (label: string) => boolean): Labelled {
  const axes = x.labels.flatMap((l, a) => (keep(l) ? [] : [a]));
  if (axes.length === 0) return x;
  return { t: x.t.sum(axes), labels: x.labels.filter((l) => keep(l)) };
}

/** x with its axes in the order `order` (a permutation of its labels). */
function arrange(x: Labelled, order: readonly string[]): Tensor {
  return x.t.transpose(order.map((l) => x.labels.indexOf(l)));
}

/** The product of a and b over their shared labels that nothing later needs, as one batched matmul. */
function contract(a: Labelled, b: Labelled, needed: ReadonlySet<string>, size: ReadonlyMap<string, number>): Labelled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  a = sumOut(a, (l) => inB.has(l) || needed.has(l));
  b = sumOut(b, (l) => inA.has(l) || needed.has(l));
  const batch = a.labels.filter((l) => inB.has(l) && needed.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !needed.has(l));
  const onlyA = a.labels.filter((l) => !inB.has(l));
  const onlyB = b.labels.filter((l) => !inA.has(l));
  const sizes = (labels: readonly string[]) => labels.map((l) => size.get(l)!);
  const count = (labels: readonly string[]) => sizes(labels).reduce((n, d) => n * d, 1);
  const left = arrange(a, [...batch, ...onlyA, ...summed]).reshape([...sizes(batch), count(onlyA), count(summed)]);
  const right = arrange(b, [...batch, ...summed, ...onlyB]).reshape([...sizes(batch), count(summed), count(onlyB)]);
  const product = left.matmul(right).reshape([...sizes(batch), ...sizes(onlyA), ...sizes(onlyB)]);
  return { t: product, labels: [...batch, ...onlyA, ...onlyB] };
}

/**
 * Einstein summation (numpy.einsum / torch.einsum): `'ij,jk->ik'` is a matrix product, `'bij,bjk->bik'` a batched
 * one, `'ii->i'` a diagonal, `'ii'` a trace, `'...ij->...ji'` a transpose of the last two axes of any batch. Without
 * `->`, the output is the ellipsis' axes then the labels that appear once, in alphabetical order. Labels are letters;
 * size-1 axes broadcast against their label's size elsewhere. Differentiable in every operand (it is built of ops).
 * @example
 * const a = randn([2, 3]);
 * const b = randn([3, 4]);
 * einsum('ij,jk->ik', a, b).shape;        // [2, 4], a.matmul(b)
 * einsum('ii', randn([3, 3])).shape;      // [] (the trace)
 * einsum('bhqd,bhkd->bhqk', randn([2, 4, 5, 8]), randn([2, 4, 6, 8])).shape;   // [2, 4, 5, 6]
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string') throw new TapegradError(`einsum: the equation must be a string; got ${describeValue(equation)}`);
  const eq = equation.replace(/\s+/g, '');
  const sides = eq.split('->');
  if (sides.length > 2) throw new TapegradError(`einsum: "${equation}" has more than one "->"`);
  const terms = sides[0].split(',').map((term, i) => parseTerm(term, `operand ${i}'s subscripts`, equation));
  if (terms.length !== operands.length)
    throw new TapegradError(`einsum: "${equation}" has ${terms.length} operand subscripts, but ${operands.length} operands were given`);
  operands.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DTypeError(`einsum: operand ${i} must be a Tensor; got ${describeValue(t)}`);
    const letters = terms[i].filter((l) => l !== ELLIPSIS).length;
    if (terms[i].includes(ELLIPSIS) ? t.rank < letters : t.rank !== letters)
      throw new ShapeError(
        `einsum: operand ${i} has shape ${formatShape(t.shape)}, which subscripts "${sides[0].split(',')[i]}" do not fit`,
      );
  });
  const width = Math.max(0, ...operands.map((t, i) => (terms[i].includes(ELLIPSIS) ? t.rank - (terms[i].length - 1) : 0)));
  let items: Labelled[] = operands.map((t, i) => ({ t, labels: expand(terms[i], t.rank, width) }));
  const ellipsisLabels = Array.from({ length: width }, (_, i) => String(i));

  // Each label's size (and where it was first seen), size-1 axes broadcasting.
  const size = new Map<string, number>();
  const seenAt = new Map<string, string>();
  items.forEach(({ t, labels }, i) =>
    labels.forEach((l, a) => {
      const known = size.get(l);
      const d = t.shape[a];
      const here = `operand ${i} ${formatShape(t.shape)}, axis ${a}`;
      if (known !== undefined && known !== d && known !== 1 && d !== 1)
        throw new ShapeError(
          `einsum: ${/\d/.test(l) ? 'an ellipsis axis' : `label '${l}'`} has size ${known} (${seenAt.get(l)}) but ${d} (${here})`,
        );
      if (known === undefined || known === 1) {
        size.set(l, d);
        seenAt.set(l, here);
      }
    }),
  );

  let output: string[];
  if (sides.length === 2) {
    const rhs = parseTerm(sides[1], 'the output', equation);
    output = rhs.flatMap((l) => (l === ELLIPSIS ? ellipsisLabels : [l]));
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) throw new TapegradError(`einsum: label '${l}' appears twice in the output of "${equation}"`);
      if (!size.has(l)) throw new TapegradError(`einsum: output label '${l}' of "${equation}" is in no operand`);
      seen.add(l);
    }
  } else {
    const letters = terms.flat().filter((l) => l !== ELLIPSIS);
    const once = [...new Set(letters)].filter((l) => letters.indexOf(l) === letters.lastIndexOf(l)).sort();
    output = [...ellipsisLabels, ...once];
  }

  items = items.map((x, i) => {
    let { t, labels } = x;
    // Repeated labels: take the diagonal (which moves it to the end) until each label is on one axis.
    for (let a = labels.findIndex((l, k) => labels.indexOf(l) !== k); a !== -1; a = labels.findIndex((l, k) => labels.indexOf(l) !== k)) {
      const first = labels.indexOf(labels[a]);
      if (t.shape[first] !== t.shape[a])
        throw new ShapeError(
          `einsum: label '${labels[a]}' repeats in operand ${i} over axes of sizes ${t.shape[first]} and ${t.shape[a]} (shape ${formatShape(x.t.shape)})`,
        );
      t = ops.diagonal(t, { axis1: first, axis2: a, offset: 0, shape: t.shape });
      labels = [...labels.filter((_, k) => k !== first && k !== a), labels[a]];
    }
    // Size-1 axes that broadcast against a larger size elsewhere carry nothing of their own.
    const broadcast = labels.map((l, k) => t.shape[k] === 1 && size.get(l)! > 1);
    if (broadcast.some(Boolean)) {
      t = t.reshape(t.shape.filter((_, k) => !broadcast[k]));
      labels = labels.filter((_, k) => !broadcast[k]);
    }
    return { t, labels };
  });

  const inOutput = new Set(output);
  const neededAfter = (i: number) => new Set([...output, ...items.slice(i + 1).flatMap((x) => x.labels)]);
  let acc = items[0] ?? null;
  if (acc === null) throw new TapegradError('einsum: needs at least one operand');
  for (let i = 1; i < items.length; i++) acc = contract(acc, items[i], neededAfter(i), size);
  acc = sumOut(acc, (l) => inOutput.has(l));
  return arrange(acc, output);
}
