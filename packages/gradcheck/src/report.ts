/** The result of a gradient check: per input, the worst disagreement between analytic and numerical gradients. */
import { unravel } from './perturb.js';

/** One element of a gradient check. */
export interface Mismatch {
  /** Flat index into the input. */
  readonly index: number;
  /** The same index per axis. */
  readonly position: readonly number[];
  /** The tape's (or the layer's) gradient. */
  readonly analytic: number;
  /** The central difference. */
  readonly numeric: number;
  /** |analytic - numeric|. */
  readonly absError: number;
  /** |analytic - numeric| / |numeric|. */
  readonly relError: number;
  /** What was compared, where it is not one element (fast mode: 'reverse mode <grad, u>', 'forward mode J u'). */
  readonly what?: string;
}

/** The check of one input. */
export interface InputReport {
  /** Position of the input in the argument list. */
  readonly input: number;
  /** The input's label (its name, or `%id`). */
  readonly label: string;
  /** The input's shape. */
  readonly shape: readonly number[];
  /** Whether every element is within tolerance. */
  readonly ok: boolean;
  /** The largest absolute error over the elements. */
  readonly maxAbsError: number;
  /** The largest relative error over the elements. */
  readonly maxRelError: number;
  /** The element that came closest to (or furthest past) the tolerance. */
  readonly worst: Mismatch | null;
  /** Elements outside the tolerance, worst first (at most 10). */
  readonly failures: readonly Mismatch[];
}

/** An element passes when |analytic - numeric| <= atol + rtol * |numeric|. */
export interface Tolerance {
  /** Absolute tolerance. */
  readonly atol: number;
  /** Relative tolerance. */
  readonly rtol: number;
}

/** Compares one input's gradients; an element passes when |a - n| <= atol + rtol * |n| (NaN never passes). */
export function compareInput(
  input: number,
  label: string,
  shape: readonly number[],
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  tol: Tolerance,
  labels?: readonly string[],
): InputReport {
  let maxAbs = 0;
  let maxRel = 0;
  let worst: Mismatch | null = null;
  let worstScore = -1;
  const failures: Array<Mismatch & { score: number }> = [];
  for (let i = 0; i < numeric.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    const absError = Math.abs(a - n);
    const relError = absError / Math.max(Math.abs(n), Number.MIN_VALUE);
    const bound = tol.atol + tol.rtol * Math.abs(n);
    const score = Number.isNaN(absError) ? Infinity : absError / bound;
    const m: Mismatch = labels
      ? { index: i, position: [], analytic: a, numeric: n, absError, relError, what: labels[i] }
      : { index: i, position: unravel(i, shape), analytic: a, numeric: n, absError, relError };
    if (Number.isNaN(absError) || absError > maxAbs) maxAbs = Number.isNaN(absError) ? NaN : absError;
    if (relError > maxRel) maxRel = relError;
    if (score > worstScore) {
      worstScore = score;
      worst = m;
    }
    if (!(absError <= bound)) failures.push({ ...m, score });
  }
  failures.sort((x, y) => y.score - x.score);
  return {
    input,
    label,
    shape,
    ok: failures.length === 0,
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    worst,
    failures: failures.slice(0, 10).map(({ score: _s, ...m }) => m),
  };
}

/**
 * The result of `gradcheck`, `gradgradcheck` or `checkLayer`: one InputReport per checked input.
 * @example
 * const r = gradcheck((x) => x.tanh().sum(), [x]);
 * if (!r.ok) console.log(r.toString());
 */
export class GradcheckReport {
  constructor(
    /** One report per checked input. */
    readonly inputs: readonly InputReport[],
    /** The step and tolerances used. */
    readonly tolerance: Tolerance & { readonly eps: number },
    /** Which check made the report ('gradcheck', 'gradgradcheck', 'checkLayer'). */
    readonly title = 'gradcheck',
  ) {}

  /** True when every element of every input is within tolerance. */
  get ok(): boolean {
    return this.inputs.every((r) => r.ok);
  }

  /** A readable table: one line per input, then each failing element, worst first. */
  toString(): string {
    const t = this.tolerance;
    const lines = [`${this.title}: ${this.ok ? 'passed' : 'FAILED'} (eps ${t.eps}, atol ${t.atol}, rtol ${t.rtol})`];
    for (const r of this.inputs) {
      lines.push(
        `  input ${r.input} ${r.label} [${r.shape.join(', ')}]: ${r.ok ? 'ok' : 'FAIL'}  max abs error ${fmt(r.maxAbsError)}, max rel error ${fmt(r.maxRelError)}`,
      );
      for (const m of r.ok ? [] : r.failures) {
        const where = m.what ?? `at [${m.position.join(', ')}] (flat ${m.index})`;
        lines.push(
          `    ${where}: analytic ${fmt(m.analytic)}  numeric ${fmt(m.numeric)}  abs error ${fmt(m.absError)}  rel error ${fmt(m.relError)}`,
        );
      }
    }
    return lines.join('\n');
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) && x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)
    ? x.toExponential(3)
    : String(Number.isFinite(x) ? +x.toPrecision(7) : x);
}
