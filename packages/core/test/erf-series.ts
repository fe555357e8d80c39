/**
 * erf by its Maclaurin series, 2/sqrt(pi) times the sum of (-1)^n x^(2n+1) / (n! (2n+1)): an oracle independent of
 * the kernels' erf, for core's op cases and nn's GELU test (80 terms: exact to a few ulps for |x| <= 3).
 */
export function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
