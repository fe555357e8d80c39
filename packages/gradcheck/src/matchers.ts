/**
 * Jest matchers: `toPassGradcheck`, `toPassDualityCheck`, `toMatchGradient` and `toBeAllClose`. Their failure
 * messages show the report: input, index, analytic, numeric and both errors, worst first.
 */
import { type Node, Scalar, Tensor } from '@tapegrad/core';
import { type CheckGradientOptions, type GradientOf, type Point, checkGradient } from './check-gradient.js';
import { checkDuality } from './duality.js';
import { gradcheck } from './gradcheck.js';

/** Tolerances of `allClose` and `toBeAllClose`. */
export interface AllCloseOptions {
  /** Relative tolerance (default 1e-7). */
  readonly rtol?: number;
  /** Absolute tolerance (default 0). */
  readonly atol?: number;
}

type Comparable = number | Node | readonly unknown[] | ArrayLike<number>;

function flatten(v: Comparable, what: string): { data: number[]; shape: number[] } {
  if (typeof v === 'number') return { data: [v], shape: [] };
  if (v instanceof Scalar) return { data: [v.value], shape: [] };
  if (v instanceof Tensor) return { data: Array.from(v.data), shape: v.shape.slice() };
  if (ArrayBuffer.isView(v)) return { data: Array.from(v as ArrayLike<number>), shape: [(v as ArrayLike<number>).length] };
  if (Array.isArray(v)) {
    const parts = v.map((x) => flatten(x as Comparable, what));
    const inner = parts[0]?.shape ?? [];
    if (parts.some((p) => p.shape.join() !== inner.join())) throw new Error(`toBeAllClose: ${what} is a ragged array`);
    return { data: parts.flatMap((p) => p.data), shape: [v.length, ...inner] };
  }
  throw new Error(`toBeAllClose: ${what} is ${typeof v}; expected a number, Scalar, Tensor or (nested) array`);
}

/** NaN never equals anything; an infinity equals only the same infinity; otherwise |a - e| <= atol + rtol |e|. */
export function allClose(actual: Comparable, expected: Comparable, options: AllCloseOptions = {}): { pass: boolean; message: string } {
  const rtol = options.rtol ?? 1e-7;
  const atol = options.atol ?? 0;
  const a = flatten(actual, 'received');
  const e = flatten(expected, 'expected');
  if (a.data.length !== e.data.length || (a.shape.length > 0 && e.shape.length > 0 && a.shape.join() !== e.shape.join())) {
    return { pass: false, message: `shapes differ: received [${a.shape.join(', ')}], expected [${e.shape.join(', ')}]` };
  }
  const bad: Array<{ i: number; a: number; e: number; err: number }> = [];
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i];
    const y = e.data[i];
    let ok: boolean;
    if (Number.isNaN(x) || Number.isNaN(y)) ok = false;
    else if (!Number.isFinite(x) || !Number.isFinite(y)) ok = x === y;
    else ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) bad.push({ i, a: x, e: y, err: Math.abs(x - y) });
  }
  bad.sort((p, q) => (Number.isNaN(q.err) ? Infinity : q.err) - (Number.isNaN(p.err) ? Infinity : p.err));
  const lines = bad.slice(0, 10).map((b) => `  at flat index ${b.i}: received ${b.a}, expected ${b.e}, abs error ${b.err}`);
  return {
    pass: bad.length === 0,
    message:
      bad.length === 0
        ? `all ${a.data.length} elements are within atol ${atol} + rtol ${rtol}`
        : `${bad.length} of ${a.data.length} elements differ beyond atol ${atol} + rtol ${rtol} (worst first):\n${lines.join('\n')}`,
  };
}

/** What a matcher returns to Jest: whether it passed, and the message to show when the expectation fails. */
export interface MatcherResult {
  /** Whether the check passed. */
  readonly pass: boolean;
  /** The report, computed only when Jest shows it. */
  readonly message: () => string;
}

/** What every check returns: whether it passed, and the report that says why (its toString). */
type Report = { readonly ok: boolean; toString(): string };

/** A check's report as a matcher's result: it passes when the report is ok, and the report is the message. */
function verdict(report: Report): MatcherResult {
  return { pass: report.ok, message: () => report.toString() };
}

/** The matcher that runs `check` on what `expect` received and the matcher's arguments, and gives its verdict. */
function checkMatcher<A extends unknown[]>(check: (...args: A) => Report): (...args: A) => MatcherResult {
  return (...args) => verdict(check(...args));
}

/** The Jest matchers `toPassGradcheck`, `toPassDualityCheck`, `toMatchGradient` and `toBeAllClose`, for `expect.extend`. */
export const matchers = {
  /** Passes when `gradcheck(f, inputs, options).ok`; the failure message is the report. */
  toPassGradcheck: checkMatcher(gradcheck),
  /** Passes when `checkDuality(f, inputs, options).ok` (forward and reverse mode agree); the failure message is the report. */
  toPassDualityCheck: checkMatcher(checkDuality),
  /** Passes when `checkGradient(f, df, x, options).ok` (a plain function's hand-written gradient); the message is the report. */
  toMatchGradient(
    this: { isNot: boolean },
    f: (x: never) => number,
    df: (x: never) => number | ArrayLike<number>,
    x: Point,
    options?: CheckGradientOptions,
  ): MatcherResult {
    return verdict(checkGradient(f as (x: Point) => number, df as (x: Point) => GradientOf<Point>, x, options));
  },
  /** Passes when `allClose(received, expected, options)` does. */
  toBeAllClose(this: { isNot: boolean }, received: Comparable, expected: Comparable, options?: AllCloseOptions): MatcherResult {
    const r = allClose(received, expected, options);
    return { pass: r.pass, message: () => (this.isNot ? `expected values not to be all close, but ${r.message}` : r.message) };
  },
};
