// Elementwise maps and sums over float32 or float64 blocks, giving the bits of core's TypeScript loops
// (src/ndarray/kernels/binary.ts and reduce.ts) four float32 or two float64 lanes at a time:
//  - add, sub, mul, div: one IEEE operation per element. The TypeScript loop computes a float32 operation in double
//    and rounds once to float32, which gives the float32 operation's bits (a double carries more than twice float32's
//    digits, so that second rounding is exact); float64 is the same operation either way.
//  - tanhGrad, g * (1 - y * y): in float64 lanes even for float32 data, as the TypeScript loop computes it.
//  - reluGrad, g * (x > 0 ? 1 : 0), and addRelu, z = a + b kept where z > 0 or z is NaN, else +0: masks, no branch.
//  - the sum, and the sum of products (each product rounded to the data's type first): four running sums in float64,
//    element i into sum i % 4, kept in memory between calls, so a caller can feed an array block by block and finish
//    with s0 + s1 + (s2 + s3) as reduce.ts does.
// NaN results stay NaN (their sign and payload bits are not specified, in JavaScript either).

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const TANH_GRAD = 4;
const RELU_GRAD = 5;
const ADD_RELU = 6;

/** First free byte after the module's static data: the caller lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function vector<T>(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return v128.add<T>(a, b);
  if (op == SUB) return v128.sub<T>(a, b);
  if (op == MUL) return v128.mul<T>(a, b);
  if (op == DIV) return v128.div<T>(a, b);
  if (op == RELU_GRAD) return v128.mul<T>(a, v128.and(v128.gt<T>(b, v128.splat<T>(0)), v128.splat<T>(1)));
  if (op == ADD_RELU) {
    const z = v128.add<T>(a, b);
    return v128.and(z, v128.or(v128.gt<T>(z, v128.splat<T>(0)), v128.ne<T>(z, z)));
  }
  const one = f64x2.splat(1);
  if (sizeof<T>() == 8) return f64x2.mul(a, f64x2.sub(one, f64x2.mul(b, b)));
  // float32 in two float64 halves, each rounded back to float32 at the end.
  const al = f64x2.promote_low_f32x4(a);
  const ah = f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1));
  const bl = f64x2.promote_low_f32x4(b);
  const bh = f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1));
  const lo = f32x4.demote_f64x2_zero(f64x2.mul(al, f64x2.sub(one, f64x2.mul(bl, bl))));
  const hi = f32x4.demote_f64x2_zero(f64x2.mul(ah, f64x2.sub(one, f64x2.mul(bh, bh))));
  return i32x4.shuffle(lo, hi, 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline
function element<T>(op: i32, a: T, b: T): T {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  if (op == DIV) return a / b;
  if (op == RELU_GRAD) return a * <T>(b > 0);
  if (op == ADD_RELU) {
    const z = a + b;
    return z > 0 || z != z ? z : 0;
  }
  return <T>(<f64>a * (1 - <f64>b * <f64>b));
}

// o[i] = op(a[i * sa], b[i * sb]) for i < n: sa and sb are 1, or 0 for an operand of one element (broadcast).
// @ts-ignore: decorator
@inline
function map<T>(op: i32, a: usize, b: usize, o: usize, n: i32, sa: usize, sb: usize): void {
  const S = <usize>sizeof<T>();
  const L = <i32>(16 / S);
  // A broadcast operand is splatted into its own first 16 bytes (the caller's scratch) and read there every time.
  if (sa == 0) v128.store(a, v128.splat<T>(load<T>(a)));
  if (sb == 0) v128.store(b, v128.splat<T>(load<T>(b)));
  const end = o + <usize>(n & ~(L - 1)) * S;
  while (o < end) {
    v128.store(o, vector<T>(op, v128.load(a), v128.load(b)));
    a += sa << 4;
    b += sb << 4;
    o += 16;
  }
  const tail = o + <usize>(n & (L - 1)) * S;
  while (o < tail) {
    store<T>(o, element<T>(op, load<T>(a), load<T>(b)));
    a += sa * S;
    b += sb * S;
    o += S;
  }
}

// @ts-ignore: decorator
@inline
function mapOp<T>(op: i32, a: usize, b: usize, o: usize, n: i32, sa: usize, sb: usize): void {
  // One loop per op, so that the op is a constant inside it.
  if (op == ADD) map<T>(ADD, a, b, o, n, sa, sb);
  else if (op == SUB) map<T>(SUB, a, b, o, n, sa, sb);
  else if (op == MUL) map<T>(MUL, a, b, o, n, sa, sb);
  else if (op == DIV) map<T>(DIV, a, b, o, n, sa, sb);
  else if (op == TANH_GRAD) map<T>(TANH_GRAD, a, b, o, n, sa, sb);
  else if (op == RELU_GRAD) map<T>(RELU_GRAD, a, b, o, n, sa, sb);
  else map<T>(ADD_RELU, a, b, o, n, sa, sb);
}

/** A float32 map (op: 0 add, 1 sub, 2 mul, 3 div, 4 tanhGrad, 5 reluGrad, 6 addRelu); every pointer a byte address. */
export function mapF32(op: i32, a: usize, b: usize, o: usize, n: i32, sa: usize, sb: usize): void {
  mapOp<f32>(op, a, b, o, n, sa, sb);
}

/** The float64 twin of mapF32 (two lanes per vector). */
export function mapF64(op: i32, a: usize, b: usize, o: usize, n: i32, sa: usize, sb: usize): void {
  mapOp<f64>(op, a, b, o, n, sa, sb);
}

// The map of `rows` rows of `len` elements, each of a, b and o moving on by its own step in bytes after each row: a row
// step of 0 reads (or writes) the same row every time. A row broadcast ([n, m] with [m]) steps the matrix by a row
// and the vector by 0; a column sum steps the rows by a row and adds them into one accumulator row (steps 0 for a
// and o), in the TypeScript loop's order. Each row is one call of the map: the per-row work is the map's.
// @ts-ignore: decorator
@inline
function mapRows(f64: bool, op: i32, a: usize, b: usize, o: usize, rows: i32, len: i32, stepA: usize, stepB: usize, stepO: usize): void {
  for (let r = 0; r < rows; r++) {
    if (f64) mapF64(op, a, b, o, len, 1, 1);
    else mapF32(op, a, b, o, len, 1, 1);
    a += stepA;
    b += stepB;
    o += stepO;
  }
}

/** mapF32 over rows (see mapRows): row broadcasts and column sums in one call. */
export function mapRowsF32(op: i32, a: usize, b: usize, o: usize, rows: i32, len: i32, stepA: usize, stepB: usize, stepO: usize): void {
  mapRows(false, op, a, b, o, rows, len, stepA, stepB, stepO);
}

/** The float64 twin of mapRowsF32. */
export function mapRowsF64(op: i32, a: usize, b: usize, o: usize, rows: i32, len: i32, stepA: usize, stepB: usize, stepO: usize): void {
  mapRows(true, op, a, b, o, rows, len, stepA, stepB, stepO);
}

// Adds x[i] (or x[i] * y[i] rounded to T, when y is not 0) into the running sums at acc (four float64: s0..s3).
// @ts-ignore: decorator
@inline
function sum<T>(x: usize, y: usize, n: i32, acc: usize): void {
  const S = <usize>sizeof<T>();
  let s01 = v128.load(acc);
  let s23 = v128.load(acc, 16);
  const end = x + <usize>(n & ~3) * S;
  while (x < end) {
    if (sizeof<T>() == 4) {
      let v = v128.load(x);
      if (y != 0) {
        v = f32x4.mul(v, v128.load(y));
        y += 16;
      }
      s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
      s23 = f64x2.add(s23, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    } else {
      let v = v128.load(x);
      let w = v128.load(x, 16);
      if (y != 0) {
        v = f64x2.mul(v, v128.load(y));
        w = f64x2.mul(w, v128.load(y, 16));
        y += 32;
      }
      s01 = f64x2.add(s01, v);
      s23 = f64x2.add(s23, w);
    }
    x += 4 * S;
  }
  // The elements past the last group of four go into s0, as reduce.ts's loop does at the array's end.
  let s0 = f64x2.extract_lane(s01, 0);
  const tail = x + <usize>(n & 3) * S;
  while (x < tail) {
    let v = load<T>(x);
    if (y != 0) {
      v *= load<T>(y);
      y += S;
    }
    s0 += <f64>v;
    x += S;
  }
  v128.store(acc, f64x2.replace_lane(s01, 0, s0));
  v128.store(acc, s23, 16);
}

/** Running float32 sums (of products when y is not 0) into acc; see `sum`. */
export function sumF32(x: usize, y: usize, n: i32, acc: usize): void {
  sum<f32>(x, y, n, acc);
}

/** The float64 twin of sumF32. */
export function sumF64(x: usize, y: usize, n: i32, acc: usize): void {
  sum<f64>(x, y, n, acc);
}
