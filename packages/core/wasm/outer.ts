// The outer product C = a b^T (a of m values, b of n, C [m x n] row-major), the matrix product with inner size 1:
// a linear layer's weight gradient for one sample, which per-sample gradients (vmap of grad) compute once per sample.
// Through the general product it would pack both operands and load, add and store every element of C; here each
// element is one multiply and one store. Each product is the exact float product rounded once, as in every build of
// the general product (with k = 1 there is nothing to fuse), so every backend gives the same bits.

/** First free byte after the module's static data: the caller lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function outer<T>(a: usize, b: usize, c: usize, m: i32, n: i32): void {
  const S = <usize>sizeof<T>();
  // Groups of four vectors, then single vectors, then the elements past the last whole vector.
  const L = <i32>(16 / S);
  const wide = n & ~(4 * L - 1);
  const whole = n & ~(L - 1);
  for (let i = 0; i < m; i++) {
    const x = load<T>(a + <usize>i * S);
    const ai = v128.splat<T>(x);
    let j = 0;
    for (; j < wide; j += 4 * L) {
      const bj = b + <usize>j * S;
      const cj = c + <usize>j * S;
      v128.store(cj, v128.mul<T>(ai, v128.load(bj)));
      v128.store(cj, v128.mul<T>(ai, v128.load(bj, 16)), 16);
      v128.store(cj, v128.mul<T>(ai, v128.load(bj, 32)), 32);
      v128.store(cj, v128.mul<T>(ai, v128.load(bj, 48)), 48);
    }
    for (; j < whole; j += L) v128.store(c + <usize>j * S, v128.mul<T>(ai, v128.load(b + <usize>j * S)));
    for (; j < n; j++) store<T>(c + <usize>j * S, x * load<T>(b + <usize>j * S));
    c += <usize>n * S;
  }
}

/** C = a b^T in float32: a [m], b [n], C [m x n]; every argument but the sizes is a byte address. */
export function outerF32(a: usize, b: usize, c: usize, m: i32, n: i32): void {
  outer<f32>(a, b, c, m, n);
}

/** The float64 twin of outerF32 (two lanes per vector). */
export function outerF64(a: usize, b: usize, c: usize, m: i32, n: i32): void {
  outer<f64>(a, b, c, m, n);
}
