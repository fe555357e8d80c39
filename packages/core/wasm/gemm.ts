// AssemblyScript source of the WebAssembly SIMD matrix product, compiled by `node wasm/build.mjs`.
// The same GotoBLAS shape as the TypeScript reference kernel (src/ndarray/kernels/matmul.ts): op(B) packed in
// [KC x NC] blocks of NR-column strips, op(A) in [MC x KC] blocks of MR-row strips, and an MR x NR register tile
// held in eight v128 accumulators. Generic over f32 (4 lanes, NR = 8) and f64 (2 lanes, NR = 4).
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

// op(B)[p, j] is B[p, j] (B stored [k, n]) or B[j, p] (B stored [n, k]); columns past the edge are zero.
function packB<T>(b: usize, tB: bool, k: i32, n: i32, p0: i32, kc: i32, j0: i32, nc: i32, out: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / sizeof<T>();
  for (let j = j0; j < j0 + nc; j += NR) {
    const cols = min(NR, j0 + nc - j);
    for (let p = p0; p < p0 + kc; p++) {
      if (!tB) {
        const row = b + <usize>(p * n + j) * S;
        if (cols == NR) {
          v128.store(out, v128.load(row));
          v128.store(out, v128.load(row, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) store<T>(out + <usize>c * S, c < cols ? load<T>(row + <usize>c * S) : <T>0);
        }
      } else {
        const col = b + <usize>(j * k + p) * S;
        for (let c = 0; c < NR; c++) store<T>(out + <usize>c * S, c < cols ? load<T>(col + <usize>(c * k) * S) : <T>0);
      }
      out += 32;
    }
  }
}

// op(A)[i, p] is A[i, p] (A stored [m, k]) or A[p, i] (A stored [k, m]); rows past the edge are zero.
function packA<T>(a: usize, tA: bool, m: i32, k: i32, i0: i32, mc: i32, p0: i32, kc: i32, out: usize): void {
  const S = <usize>sizeof<T>();
  for (let i = i0; i < i0 + mc; i += MR) {
    const rows = min(MR, i0 + mc - i);
    for (let p = p0; p < p0 + kc; p++) {
      if (!tA) {
        const col = a + <usize>(i * k + p) * S;
        for (let r = 0; r < MR; r++) store<T>(out + <usize>r * S, r < rows ? load<T>(col + <usize>(r * k) * S) : <T>0);
      } else {
        const row = a + <usize>(p * m + i) * S;
        for (let r = 0; r < MR; r++) store<T>(out + <usize>r * S, r < rows ? load<T>(row + <usize>r * S) : <T>0);
      }
      out += <usize>MR * S;
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

// C tile (rows x cols, ldc in bytes) += packed A strip . packed B strip over kc.
// @ts-ignore: decorator
@inline
function microKernel<T>(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, rows: i32, cols: i32): void {
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
    a = v128.load_splat<T>(pa + S);
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    a = v128.load_splat<T>(pa + 2 * S);
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    a = v128.load_splat<T>(pa + 3 * S);
    c30 = madd<T>(a, b0, c30);
    c31 = madd<T>(a, b1, c31);
    pa += 4 * S;
    pb += 32;
  }
  const NR = 32 / sizeof<T>();
  if (rows == MR && cols == NR) {
    v128.store(c, v128.add<T>(v128.load(c), c00));
    v128.store(c, v128.add<T>(v128.load(c, 16), c01), 16);
    c += ldc;
    v128.store(c, v128.add<T>(v128.load(c), c10));
    v128.store(c, v128.add<T>(v128.load(c, 16), c11), 16);
    c += ldc;
    v128.store(c, v128.add<T>(v128.load(c), c20));
    v128.store(c, v128.add<T>(v128.load(c, 16), c21), 16);
    c += ldc;
    v128.store(c, v128.add<T>(v128.load(c), c30));
    v128.store(c, v128.add<T>(v128.load(c, 16), c31), 16);
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
      store<T>(dst, load<T>(dst) + load<T>(EDGE_TILE + <usize>(r * 32) + <usize>j * S));
    }
  }
}

function gemm<T>(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tA: bool, tB: bool, pa: usize, pb: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / sizeof<T>();
  memory.fill(c, 0, <usize>(m * n) * S);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB<T>(b, tB, k, n, p0, kc, j0, nc, pb);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA<T>(a, tA, m, k, i0, mc, p0, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bStrip = pb + <usize>(jr * kc) * S;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const cTile = c + <usize>((i0 + ir) * n + j0 + jr) * S;
            microKernel<T>(kc, pa + <usize>(ir * kc) * S, bStrip, cTile, <usize>n * S, rows, cols);
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
