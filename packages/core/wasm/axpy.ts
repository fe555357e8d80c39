// x += alpha * y in place, each element evaluated in float64 (the product rounded, then the sum) and stored in x's
// type, as the TypeScript loop of addInPlace evaluates it: the same bits, two lanes at a time. float32 takes pairs
// (the caller does an odd last element).

/** First free byte after the module's static data: the caller lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

export function axpyF32(x: usize, y: usize, n: i32, alpha: f64): void {
  const a = f64x2.splat(alpha);
  const end = x + (<usize>(n & ~1) << 2);
  while (x < end) {
    const v = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(x)), f64x2.mul(a, f64x2.promote_low_f32x4(v128.load64_zero(y))));
    v128.store64_lane(x, f32x4.demote_f64x2_zero(v), 0);
    x += 8;
    y += 8;
  }
}

export function axpyF64(x: usize, y: usize, n: i32, alpha: f64): void {
  const a = f64x2.splat(alpha);
  const end = x + (<usize>(n & ~1) << 3);
  while (x < end) {
    v128.store(x, f64x2.add(v128.load(x), f64x2.mul(a, v128.load(y))));
    x += 16;
    y += 16;
  }
}
