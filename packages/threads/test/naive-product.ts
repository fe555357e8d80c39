/**
 * The threads tests' oracle: the product of an [m, k] and a [k, n] matrix (either stored transposed) by the
 * textbook triple loop in float64, independent of every kernel it checks.
 */
export function naiveProduct(
  a: { readonly data: ArrayLike<number> },
  b: { readonly data: ArrayLike<number> },
  m: number,
  n: number,
  k: number,
  tA = false,
  tB = false,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a.data[p * m + i] : a.data[i * k + p]) * (tB ? b.data[j * k + p] : b.data[p * n + j]);
      out[i * n + j] = s;
    }
  return out;
}
