// checkGradient: hand-written gradients of plain JavaScript functions (no tapegrad nodes) against central differences,
// in the three forms a point can take (number, number[], Float64Array), and the Jest matcher toMatchGradient.
import { DTypeError, GradError, ShapeError } from '@tapegrad/core';
import { checkGradient } from '@tapegrad/gradcheck';

// Black-Scholes call price C(S) and its closed-form delta N(d1) (a pricing formula, the example).
const erf = (x: number): number => {
  // The Maclaurin series, exact to float64 rounding for the |x| < 3 used here.
  const t = Math.abs(x);
  let sum = 0;
  let term = t;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-t * t) / (n + 1);
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
};
const normCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));
const K = 100;
const r = 0.03;
const sigma = 0.2;
const T = 0.5;
const d1 = (S: number) => (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * Math.sqrt(T));
const call = (S: number) => S * normCdf(d1(S)) - K * Math.exp(-r * T) * normCdf(d1(S) - sigma * Math.sqrt(T));

describe('checkGradient', () => {
  it('passes a closed-form derivative of a scalar function (Black-Scholes delta) and fails a wrong one', () => {
    expect(checkGradient(call, (S) => normCdf(d1(S)), 105).ok).toBe(true);
    const wrong = checkGradient(call, (S) => normCdf(d1(S) - sigma * Math.sqrt(T)), 105);
    expect(wrong.ok).toBe(false);
    expect(wrong.toString()).toMatch(/^checkGradient: FAILED/);
    expect(wrong.inputs[0].shape).toEqual([]);
  });

  it('checks an array point element by element and names the wrong element', () => {
    // Rosenbrock: f = (1 - x)^2 + 100 (y - x^2)^2
    const f = ([x, y]: readonly number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    const df = ([x, y]: readonly number[]) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
    expect(checkGradient(f, df, [-0.7, 1.3]).ok).toBe(true);
    const dfWrongY = ([x, y]: readonly number[]) => [-2 * (1 - x) - 400 * x * (y - x * x), 100 * (y - x * x)];
    const report = checkGradient(f, dfWrongY, [-0.7, 1.3]);
    expect(report.ok).toBe(false);
    expect(report.inputs[0].failures.map((m) => m.index)).toEqual([1]);
    expect(report.toString()).toMatch(/at \[1\] \(flat 1\)/);
  });

  it('takes a Float64Array point, hands f a Float64Array copy and leaves the caller’s array alone', () => {
    // A physics step: potential energy of springs between consecutive unit masses, U = sum k/2 (x_{i+1} - x_i - L)^2.
    const k = 3;
    const L = 0.5;
    const seen: string[] = [];
    const U = (x: Float64Array) => {
      seen.push(x.constructor.name);
      let u = 0;
      for (let i = 0; i + 1 < x.length; i++) u += (k / 2) * (x[i + 1] - x[i] - L) ** 2;
      x[0] = 1e9; // a careless f that scribbles on its argument
      return u;
    };
    const dU = (x: Float64Array) => {
      const g = new Float64Array(x.length);
      for (let i = 0; i + 1 < x.length; i++) {
        const s = k * (x[i + 1] - x[i] - L);
        g[i] -= s;
        g[i + 1] += s;
      }
      return g;
    };
    const x = Float64Array.of(0.1, 0.9, 1.2, 2.0);
    expect(checkGradient(U, dU, x).ok).toBe(true);
    expect(Array.from(x)).toEqual([0.1, 0.9, 1.2, 2.0]);
    expect(new Set(seen)).toEqual(new Set(['Float64Array']));
  });

  it('honours eps, rtol and atol', () => {
    // f = x^3 at 1: the central difference is 3 + eps^2 exactly, so a coarse eps fails a tight rtol.
    const f = (x: number) => x ** 3;
    const df = (x: number) => 3 * x * x;
    expect(checkGradient(f, df, 1, { eps: 0.1, rtol: 1e-4, atol: 0 }).ok).toBe(false);
    expect(checkGradient(f, df, 1, { eps: 0.1, rtol: 1e-2, atol: 0 }).ok).toBe(true);
  });

  it('reports NaN gradients as failures', () => {
    expect(
      checkGradient(
        (x: number) => x * x,
        () => NaN,
        2,
      ).ok,
    ).toBe(false);
  });

  it('throws typed errors naming checkGradient for bad input', () => {
    const f = (v: readonly number[]) => v[0] + v[1];
    expect(() => checkGradient(f, () => [1], [1, 2])).toThrow(ShapeError);
    expect(() => checkGradient(f, () => [1], [1, 2])).toThrow(/checkGradient: df returned 1 numbers for an x of 2 elements/);
    expect(() => checkGradient(f, () => 1 as never, [1, 2])).toThrow(DTypeError);
    expect(() =>
      checkGradient(
        () => 'a' as never,
        () => 0,
        1,
      ),
    ).toThrow(/checkGradient: f must return a number, got a string/);
    expect(() => checkGradient(f, () => [1, 1], ['a', 'b'] as never)).toThrow(/x must be a number, an array of numbers or a Float64Array/);
    expect(() => checkGradient(f, () => [1, 1], [1, 2], { eps: 0 })).toThrow(GradError);
    expect(() => checkGradient(undefined as never, () => 0, 1)).toThrow(DTypeError);
  });
});

describe('toMatchGradient', () => {
  it('passes a right gradient, fails a wrong one with the report as the message', () => {
    const f = (v: readonly number[]) => Math.sin(v[0]) * v[1];
    expect(f).toMatchGradient((v: readonly number[]) => [Math.cos(v[0]) * v[1], Math.sin(v[0])], [0.4, -1.7]);
    expect(f).not.toMatchGradient((v: readonly number[]) => [Math.cos(v[0]), Math.sin(v[0])], [0.4, -1.7]);
    expect(() => expect(f).toMatchGradient((v: readonly number[]) => [Math.cos(v[0]), Math.sin(v[0])], [0.4, -1.7])).toThrow(
      /checkGradient: FAILED/,
    );
  });
});
