// AssemblyScript source of the convolution's other products in float32 (compiled into dot.ts's module by
// `node wasm/build.mjs`): C [m, n] = A [m, k] . B [k, n] with A small (a convolution's weight, m = output channels, or
// its transpose for dX) and B wide (the patch matrix, or dY's rows: n = batch * output positions), B and C in this
// module's memory with rows `n` apart (n a multiple of 8). B is read where it lies, a 4 x 8 tile of C at a time, so
// nothing is packed or copied; A is read an element at a time, A(i, p) at a + (i * si + p * sp) * 4 (either layout).
// Each element of C sums its products in the order of p, in blocks of 256 added into C (zeroed first), one rounding
// per multiply and per add: the order and roundings of gemm.ts's SIMD128 build, so the results are its bits.

const KC: i32 = 256;

// @ts-ignore: decorator
@inline
function splat(a: usize, i: i32, si: i32, sp: i32, p: i32): v128 {
  return v128.load_splat<f32>(a + (<usize>(i * si + p * sp) << 2));
}

/** C = A . B as above; rows of A past m read row m - 1 again and are not stored. */
export function narrowF32(a: usize, si: i32, sp: i32, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  memory.fill(c, 0, <usize>(m * n) << 2);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = min(k, p0 + KC);
    for (let i = 0; i < m; i += 4) {
      const i1 = min(i + 1, m - 1), i2 = min(i + 2, m - 1), i3 = min(i + 3, m - 1);
      for (let j = 0; j < n; j += 8) {
        let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        let q = b + (<usize>(p0 * n + j) << 2);
        for (let p = p0; p < p1; p++) {
          const b0 = v128.load(q);
          const b1 = v128.load(q, 16);
          let x = splat(a, i, si, sp, p);
          c00 = f32x4.add(c00, f32x4.mul(x, b0));
          c01 = f32x4.add(c01, f32x4.mul(x, b1));
          x = splat(a, i1, si, sp, p);
          c10 = f32x4.add(c10, f32x4.mul(x, b0));
          c11 = f32x4.add(c11, f32x4.mul(x, b1));
          x = splat(a, i2, si, sp, p);
          c20 = f32x4.add(c20, f32x4.mul(x, b0));
          c21 = f32x4.add(c21, f32x4.mul(x, b1));
          x = splat(a, i3, si, sp, p);
          c30 = f32x4.add(c30, f32x4.mul(x, b0));
          c31 = f32x4.add(c31, f32x4.mul(x, b1));
          q += <usize>n << 2;
        }
        let o = c + (<usize>(i * n + j) << 2);
        v128.store(o, f32x4.add(v128.load(o), c00));
        v128.store(o, f32x4.add(v128.load(o, 16), c01), 16);
        if (i + 1 >= m) continue;
        o += <usize>n << 2;
        v128.store(o, f32x4.add(v128.load(o), c10));
        v128.store(o, f32x4.add(v128.load(o, 16), c11), 16);
        if (i + 2 >= m) continue;
        o += <usize>n << 2;
        v128.store(o, f32x4.add(v128.load(o), c20));
        v128.store(o, f32x4.add(v128.load(o, 16), c21), 16);
        if (i + 3 >= m) continue;
        o += <usize>n << 2;
        v128.store(o, f32x4.add(v128.load(o), c30));
        v128.store(o, f32x4.add(v128.load(o, 16), c31), 16);
      }
    }
  }
}
