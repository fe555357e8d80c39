// tanh of float32 values, evaluated in float64 exactly as the TypeScript kernel (src/ndarray/kernels/unary.ts)
// evaluates it: the same [13/6] rational function, the same operations in the same order, two lanes at a time,
// then rounded to float32. So both backends give the same bits. Values with |x| >= LIMIT (or NaN) are left to the
// caller, which uses Math.tanh there: the return value counts the pairs that held one.

const LIMIT: f64 = 7.90531110763549805;

export function tanhF32(x: usize, o: usize, n: i32): i32 {
  const limit = f64x2.splat(LIMIT);
  let outside = 0;
  const end = x + (<usize>(n & ~1) << 2);
  while (x < end) {
    const v = f64x2.promote_low_f32x4(v128.load64_zero(x));
    outside += i32(!i64x2.all_true(f64x2.lt(f64x2.abs(v), limit)));
    const x2 = f64x2.mul(v, v);
    let p = f64x2.splat(-2.76076847742355e-16);
    p = f64x2.add(f64x2.mul(p, x2), f64x2.splat(2.00018790482477e-13));
    p = f64x2.add(f64x2.mul(p, x2), f64x2.splat(-8.60467152213735e-11));
    p = f64x2.add(f64x2.mul(p, x2), f64x2.splat(5.12229709037114e-8));
    p = f64x2.add(f64x2.mul(p, x2), f64x2.splat(1.48572235717979e-5));
    p = f64x2.add(f64x2.mul(p, x2), f64x2.splat(6.37261928875436e-4));
    p = f64x2.add(f64x2.mul(p, x2), f64x2.splat(4.89352455891786e-3));
    let q = f64x2.splat(1.19825839466702e-6);
    q = f64x2.add(f64x2.mul(q, x2), f64x2.splat(1.18534705686654e-4));
    q = f64x2.add(f64x2.mul(q, x2), f64x2.splat(2.268434632439e-3));
    q = f64x2.add(f64x2.mul(q, x2), f64x2.splat(4.89352518554385e-3));
    v128.store64_lane(o, f32x4.demote_f64x2_zero(f64x2.div(f64x2.mul(v, p), q)), 0);
    x += 8;
    o += 8;
  }
  return outside;
}
