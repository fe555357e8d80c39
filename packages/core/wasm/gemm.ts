// AssemblyScript source of the WebAssembly SIMD matrix product, compiled by `node wasm/build.mjs`.
// The same GotoBLAS shape as the TypeScript reference kernel (src/ndarray/kernels/matmul.ts): op(B) packed in
// [KC x NC] blocks of NR-column strips, op(A) in [MC x KC] blocks of MR-row strips (a transposed A is read in place,
// already in that layout), and an MR x NR register tile held in eight v128 accumulators. Generic over f32 (4 lanes,
// NR = 8) and f64 (2 lanes, NR = 4). Each element of C is summed in the same order as by the TypeScript kernel's
// blocks: p ascending within a block of KC, the blocks added into C in turn.
// The caller owns the memory: it places A, B, C and the two packing panels and passes byte addresses.

const MR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 64;
const NC: i32 = 256;

// Spill area for tiles cut by the edge of C: MR rows of 32 bytes.
const EDGE_TILE: usize = memory.data(MR * 32, 16);

/** First free byte after the module's static data: the caller lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes the A and B packing panels need for element size `size` (4 or 8). */
export function packedABytes(size: i32): i32 {
  return ((MC + MR - 1) / MR) * MR * KC * size;
}
export function packedBBytes(size: i32): i32 {
  const nr = 32 / size;
  return KC * ((NC + nr - 1) / nr) * nr * size;
}

// Four rows `ld` bytes apart from `src`, 16 bytes of each, written a column at a time: the four values of column q
// (one from each row) at out + q * step. What both packings' fast paths are made of: four loads, two rounds of
// shuffles (single unpack instructions on x64), four stores, where the element-by-element copy takes 16 of each.
// @ts-ignore: decorator
@inline
function transpose4<T>(src: usize, ld: usize, out: usize, step: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + ld);
  const r2 = v128.load(src + 2 * ld);
  const r3 = v128.load(src + 3 * ld);
  if (sizeof<T>() == 4) {
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    v128.store(out, v128.shuffle<f64>(t0, t1, 0, 2));
    v128.store(out + step, v128.shuffle<f64>(t0, t1, 1, 3));
    v128.store(out + 2 * step, v128.shuffle<f64>(t2, t3, 0, 2));
    v128.store(out + 3 * step, v128.shuffle<f64>(t2, t3, 1, 3));
  } else {
    v128.store(out, v128.shuffle<f64>(r0, r1, 0, 2));
    v128.store(out, v128.shuffle<f64>(r2, r3, 0, 2), 16);
    v128.store(out + step, v128.shuffle<f64>(r0, r1, 1, 3));
    v128.store(out + step, v128.shuffle<f64>(r2, r3, 1, 3), 16);
  }
}

// op(B)[p, j] = B[p, j], B stored [k, n], in strips of NR columns; columns past the edge are zero.
function packB<T>(b: usize, n: i32, p0: i32, kc: i32, j0: i32, nc: i32, out: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / sizeof<T>();
  for (let j = j0; j < j0 + nc; j += NR) {
    const cols = min(NR, j0 + nc - j);
    for (let p = p0; p < p0 + kc; p++) {
      const row = b + <usize>(p * n + j) * S;
      if (cols == NR) {
        v128.store(out, v128.load(row));
        v128.store(out, v128.load(row, 16), 16);
      } else {
        for (let c = 0; c < NR; c++) store<T>(out + <usize>c * S, c < cols ? load<T>(row + <usize>c * S) : <T>0);
      }
      out += 32;
    }
  }
}

// Rows r0..r0 + count of X (stored [rows, k]) in strips of W rows (a multiple of 4), each strip the W values of column
// p side by side for p in p0..p0 + kc; rows past the last are zero. op(A) (A stored [m, k], W = MR) and op(B) when B
// is stored transposed ([n, k], W = NR). (A transposed, stored [k, m], needs no packing: see gemm.)
function packRows<T>(x: usize, k: i32, r0: i32, count: i32, W: i32, p0: i32, kc: i32, out: usize): void {
  const S = <usize>sizeof<T>();
  const L = 16 / sizeof<T>();
  for (let r = r0; r < r0 + count; r += W) {
    const rows = min(W, r0 + count - r);
    let p = p0;
    if (rows == W) {
      for (; p + L <= p0 + kc; p += L) {
        for (let w = 0; w < W; w += 4) transpose4<T>(x + <usize>((r + w) * k + p) * S, <usize>k * S, out + <usize>w * S, <usize>W * S);
        out += <usize>(L * W) * S;
      }
    }
    for (; p < p0 + kc; p++) {
      for (let w = 0; w < W; w++) store<T>(out + <usize>w * S, w < rows ? load<T>(x + <usize>((r + w) * k + p) * S) : <T>0);
      out += <usize>W * S;
    }
  }
}

// a * b + c. In the relaxed-SIMD build (wasm/build.mjs compiles this file a second time with relaxed SIMD on) it is
// relaxed_madd, a fused multiply-add with one rounding where the CPU has FMA; otherwise a multiply, then an add.
// @ts-ignore: decorator
@inline
function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

// C tile (rows x cols, ldc in bytes) += packed A strip . packed B strip over kc; on the first block of k (`first`),
// C tile = the sum: C's memory is never zeroed. A sum that starts at +0 is never -0 (x + -x and +0 + -0 round to +0 in
// round-to-nearest), so storing it gives the bits of 0 + sum.
// The A values are read with constant offsets folded into the loads (pa, S): V8 then needs no address arithmetic
// for them, 4% more GFLOP/s on W1's products than adding the offsets to pa (docs/decisions.md, session 7).
// @ts-ignore: decorator
@inline
function microKernel<T>(kc: i32, pa: usize, sa: usize, pb: usize, c: usize, ldc: usize, rows: i32, cols: i32, first: bool): void {
  const S = <usize>sizeof<T>();
  let c00 = v128.splat<T>(<T>0), c01 = v128.splat<T>(<T>0);
  let c10 = v128.splat<T>(<T>0), c11 = v128.splat<T>(<T>0);
  let c20 = v128.splat<T>(<T>0), c21 = v128.splat<T>(<T>0);
  let c30 = v128.splat<T>(<T>0), c31 = v128.splat<T>(<T>0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load_splat<T>(pa);
    c00 = madd<T>(a, b0, c00);
    c01 = madd<T>(a, b1, c01);
    a = v128.load_splat<T>(pa, S);
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    a = v128.load_splat<T>(pa, 2 * S);
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    a = v128.load_splat<T>(pa, 3 * S);
    c30 = madd<T>(a, b0, c30);
    c31 = madd<T>(a, b1, c31);
    pa += sa;
    pb += 32;
  }
  const NR = 32 / sizeof<T>();
  if (rows == MR && cols == NR) {
    if (!first) {
      c00 = v128.add<T>(v128.load(c), c00);
      c01 = v128.add<T>(v128.load(c, 16), c01);
      c10 = v128.add<T>(v128.load(c + ldc), c10);
      c11 = v128.add<T>(v128.load(c + ldc, 16), c11);
      c20 = v128.add<T>(v128.load(c + 2 * ldc), c20);
      c21 = v128.add<T>(v128.load(c + 2 * ldc, 16), c21);
      c30 = v128.add<T>(v128.load(c + 3 * ldc), c30);
      c31 = v128.add<T>(v128.load(c + 3 * ldc, 16), c31);
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    c += ldc;
    v128.store(c, c10);
    v128.store(c, c11, 16);
    c += ldc;
    v128.store(c, c20);
    v128.store(c, c21, 16);
    c += ldc;
    v128.store(c, c30);
    v128.store(c, c31, 16);
    return;
  }
  v128.store(EDGE_TILE, c00);
  v128.store(EDGE_TILE, c01, 16);
  v128.store(EDGE_TILE, c10, 32);
  v128.store(EDGE_TILE, c11, 48);
  v128.store(EDGE_TILE, c20, 64);
  v128.store(EDGE_TILE, c21, 80);
  v128.store(EDGE_TILE, c30, 96);
  v128.store(EDGE_TILE, c31, 112);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize>r * ldc + <usize>j * S;
      const sum = load<T>(EDGE_TILE + <usize>(r * 32) + <usize>j * S);
      store<T>(dst, first ? sum : load<T>(dst) + sum);
    }
  }
}

function gemm<T>(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tA: bool, tB: bool, pa: usize, pb: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / sizeof<T>();
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      if (tB) packRows<T>(b, k, j0, nc, NR, p0, kc, pb);
      else packB<T>(b, n, p0, kc, j0, nc, pb);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        if (!tA) packRows<T>(a, k, i0, mc, MR, p0, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bStrip = pb + <usize>(jr * kc) * S;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const cTile = c + <usize>((i0 + ir) * n + j0 + jr) * S;
            // A transposed (stored [k, m]) already holds op(A)'s MR values for each p side by side, as a packed strip
            // does, a row of A apart instead of MR values: the kernel reads it in place (rows past m are read, from
            // the memory after, and dropped with the edge tile's). Twice the speed on W1's h2^T dY3, 8% on x^T dY1.
            const aStrip = tA ? a + <usize>(p0 * m + i0 + ir) * S : pa + <usize>(ir * kc) * S;
            microKernel<T>(kc, aStrip, <usize>(tA ? m : MR) * S, bStrip, cTile, <usize>n * S, rows, cols, p0 == 0);
          }
        }
      }
    }
  }
}

/** C = op(A) . op(B) in float32; every argument but the sizes and flags is a byte address. C need not be zeroed. */
export function gemmF32(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tA: bool, tB: bool, pa: usize, pb: usize): void {
  gemm<f32>(a, b, c, m, n, k, tA, tB, pa, pb);
}

/** The float64 twin of gemmF32 (two lanes per vector). */
export function gemmF64(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tA: bool, tB: bool, pa: usize, pb: usize): void {
  gemm<f64>(a, b, c, m, n, k, tA, tB, pa, pb);
}
