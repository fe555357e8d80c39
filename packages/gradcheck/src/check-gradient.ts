/**
 * checkGradient checks a hand-written gradient of a plain JavaScript function (no tapegrad nodes: a physics step, a
 * pricing formula, a shader's math) against central differences, with the same report as `gradcheck`.
 */
import { DTypeError, GradError, ShapeError } from '@tapegrad/core';
import { GradcheckReport, compareInput } from './report.js';

/** A point a plain function is evaluated at: a number, an array of numbers, or a Float64Array. */
export type Point = number | readonly number[] | Float64Array;

/** The gradient of a function of `X`, in the same form: a number for a number, else one number per element. */
export type GradientOf<X extends Point> = X extends number ? number : ArrayLike<number>;

/** Options of `checkGradient` (defaults: eps 1e-6, atol 1e-5, rtol 1e-3, as `gradcheck`). */
export interface CheckGradientOptions {
  /** Central-difference step (default 1e-6). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-5). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-3). */
  readonly rtol?: number;
}

/**
 * Checks `df`, a hand-written gradient of the plain function `f`, at `x`: element i of `df(x)` against the central
 * difference (f(x + eps e_i) - f(x - eps e_i)) / 2 eps. `f` gets a fresh copy of the point each time (in `x`'s
 * form), so it may not change the caller's array. Returns a report with `.ok`, as `gradcheck` does.
 * @example
 * // kinetic energy 1/2 m |v|^2: dE/dv = m v
 * const m = 2;
 * const r = checkGradient((v) => 0.5 * m * v.reduce((s, x) => s + x * x, 0), (v) => v.map((x) => m * x), [1, -2, 0.5]);
 * r.ok;   // true
 */
export function checkGradient<X extends Point>(
  f: (x: X) => number,
  df: (x: X) => GradientOf<X>,
  x: X,
  options: CheckGradientOptions = {},
): GradcheckReport {
  if (typeof f !== 'function' || typeof df !== 'function') {
    throw new DTypeError(`checkGradient: f and df must be functions, got ${typeof f} and ${typeof df}`);
  }
  const tol = { eps: options.eps ?? 1e-6, atol: options.atol ?? 1e-5, rtol: options.rtol ?? 1e-3 };
  if (!(tol.eps > 0)) throw new GradError(`checkGradient: eps must be positive, got ${tol.eps}`);
  const point = valuesOf(x);
  const scalar = typeof x === 'number';
  const make = (values: Float64Array): X =>
    (scalar ? values[0] : x instanceof Float64Array ? Float64Array.from(values) : Array.from(values)) as X;
  const value = (values: Float64Array): number => {
    const y = f(make(values));
    if (typeof y !== 'number') throw new DTypeError(`checkGradient: f must return a number, got ${describe(y)}`);
    return y;
  };
  const analytic = gradientValues(df(make(point)), point.length, scalar);
  const numeric = new Float64Array(point.length);
  const moved = Float64Array.from(point);
  for (let i = 0; i < point.length; i++) {
    moved[i] = point[i] + tol.eps;
    const plus = value(moved);
    moved[i] = point[i] - tol.eps;
    const minus = value(moved);
    moved[i] = point[i];
    numeric[i] = (plus - minus) / (2 * tol.eps);
  }
  const report = compareInput(0, 'x', scalar ? [] : [point.length], analytic, numeric, tol);
  return new GradcheckReport([report], tol, 'checkGradient');
}

function valuesOf(x: Point): Float64Array {
  if (typeof x === 'number') return Float64Array.of(x);
  if (x instanceof Float64Array) return Float64Array.from(x);
  if (Array.isArray(x) && x.every((v) => typeof v === 'number')) return Float64Array.from(x);
  throw new DTypeError(`checkGradient: x must be a number, an array of numbers or a Float64Array, got ${describe(x)}`);
}

function gradientValues(g: unknown, n: number, scalar: boolean): ArrayLike<number> {
  if (scalar) {
    if (typeof g !== 'number') throw new DTypeError(`checkGradient: x is a number, so df must return a number, got ${describe(g)}`);
    return [g];
  }
  const ok = Array.isArray(g) || g instanceof Float64Array || g instanceof Float32Array;
  if (!ok) throw new DTypeError(`checkGradient: df must return one number per element of x (an array), got ${describe(g)}`);
  const values = g as ArrayLike<number>;
  if (values.length !== n) throw new ShapeError(`checkGradient: df returned ${values.length} numbers for an x of ${n} elements`);
  return values;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return v === null ? 'null' : typeof v === 'object' ? `a ${v.constructor?.name ?? 'object'}` : `a ${typeof v}`;
}
