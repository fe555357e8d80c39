// AssemblyScript source of the long-inner-size matrix product C = A B^T (A [m, k] and B [n, k] row-major, C [m, n]),
// compiled by `node wasm/build.mjs`: every element of C is a dot product of two rows that lie contiguous in memory.
// It serves the products whose outputs are few and whose inner size is long, as a convolution's weight gradient
// (dW [O, K] = dY [O, cols] . patches [K, cols]^T with cols = batch * output positions, e.g. 6 x 25 over 50176), where
// the packed product (gemm.ts) would pack both operands and fill a mostly empty register tile for each of few tiles.
// Here a tile of 2 rows of A by 4 rows of B runs along k in SIMD lanes, eight vector accumulators, reading the rows
// where they lie (no packing); k is cut into blocks of KB elements so that the tile's rows stay in the L1 cache while the tiles of a
// block are walked. Lane partial sums are added across lanes at the end of each block, so the order of additions
// (and the last bits of float32 results) differ from the packed product's.

const KB: i32 = 1024;

/** First free byte after the module's static data: the caller lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function lanes<T>(v: v128): T {
  if (sizeof<T>() == 4) return <T>(v128.extract_lane<f32>(v, 0) + v128.extract_lane<f32>(v, 1) + (v128.extract_lane<f32>(v, 2) + v128.extract_lane<f32>(v, 3)));
  return <T>(v128.extract_lane<f64>(v, 0) + v128.extract_lane<f64>(v, 1));
}

// @ts-ignore: decorator
@inline
function madd<T>(a: v128, b: v128, c: v128): v128 {
  return v128.add<T>(c, v128.mul<T>(a, b));
}

// Sizes as the caller lays the operands out: m a multiple of 2, n of 4 and k of the lanes (16 / sizeof<T>), the
// rows past the caller's and the entries past its k zero, so the loops need no edge case.
// Generic over the lane type, though only float32 is exported: float64 products take the packed product (the module's
// bytes count against the bundle).
function dot<T>(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  const S = <usize>sizeof<T>();
  const row = <usize>k * S;
  memory.fill(c, 0, <usize>(m * n) * S);
  for (let p0 = 0; p0 < k; p0 += KB) {
    const end = <usize>min(KB, k - p0) * S;
    const off = <usize>p0 * S;
    for (let i = 0; i < m; i += 2) {
      const a0 = a + <usize>i * row + off;
      const a1 = a0 + row;
      for (let j = 0; j < n; j += 4) {
        const b0 = b + <usize>j * row + off;
        const b1 = b0 + row;
        const b2 = b1 + row;
        const b3 = b2 + row;
        let s00 = v128.splat<T>(<T>0), s01 = s00, s02 = s00, s03 = s00;
        let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        for (let q: usize = 0; q < end; q += 16) {
          const x0 = v128.load(a0 + q);
          const x1 = v128.load(a1 + q);
          let y = v128.load(b0 + q);
          s00 = madd<T>(x0, y, s00);
          s10 = madd<T>(x1, y, s10);
          y = v128.load(b1 + q);
          s01 = madd<T>(x0, y, s01);
          s11 = madd<T>(x1, y, s11);
          y = v128.load(b2 + q);
          s02 = madd<T>(x0, y, s02);
          s12 = madd<T>(x1, y, s12);
          y = v128.load(b3 + q);
          s03 = madd<T>(x0, y, s03);
          s13 = madd<T>(x1, y, s13);
        }
        const c0 = c + <usize>(i * n + j) * S;
        const c1 = c0 + <usize>n * S;
        store<T>(c0, load<T>(c0) + lanes<T>(s00));
        store<T>(c0 + S, load<T>(c0 + S) + lanes<T>(s01));
        store<T>(c0 + 2 * S, load<T>(c0 + 2 * S) + lanes<T>(s02));
        store<T>(c0 + 3 * S, load<T>(c0 + 3 * S) + lanes<T>(s03));
        store<T>(c1, load<T>(c1) + lanes<T>(s10));
        store<T>(c1 + S, load<T>(c1 + S) + lanes<T>(s11));
        store<T>(c1 + 2 * S, load<T>(c1 + 2 * S) + lanes<T>(s12));
        store<T>(c1 + 3 * S, load<T>(c1 + 3 * S) + lanes<T>(s13));
      }
    }
  }
}

/** C = A B^T in float32 (A [m, k], B [n, k], C [m, n], row-major, sizes as dot() needs them); every argument but the sizes is a byte address. */
export function dotF32(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  dot<f32>(a, b, c, m, n, k);
}
