// The optimiser updates of @tapegrad/nn (SGD, Adam/AdamW, RMSprop, AdaGrad: the loops of src/optim/*.ts), in place,
// each element evaluated in float64 with the operations of those TypeScript loops in their order, every store rounded
// to the parameter's type as a typed array's store rounds: the loops' bits, two lanes at a time. A state value the loop reads back after storing it (RMSprop's averages, AdaGrad's sum) is
// rounded here too; one it uses as computed (the momentum buffer, Adam's moments) is not. Every array holds an even
// number of elements (the caller pads an odd one), so there is no tail: the pad lane's result is never read.
// Compiled by `node wasm/build.mjs` into src/optim/wasm-kernels.generated.ts; called by src/optim/wasm-step.ts.

/** First free byte after the module's static data: the caller lays its arrays out from here. */
export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function load2<T>(at: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(at));
  return v128.load(at);
}

// @ts-ignore: decorator
@inline
function store2<T>(at: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(at, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(at, v);
}

/** What a store of `v` and a load back give: `v` rounded to T. */
// @ts-ignore: decorator
@inline
function asStored<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
  return v;
}

/** The bytes of a pair of T: each loop's step. */
// @ts-ignore: decorator
@inline
function pair<T>(): usize {
  return <usize>sizeof<T>() * 2;
}

/** Where the n elements (n even) of an array of T at `at` end. */
// @ts-ignore: decorator
@inline
function endOf<T>(at: usize, n: i32): usize {
  return at + <usize>n * sizeof<T>();
}

/** The gradient at g with its L2 penalty, g + wd p, as every rule's loop starts. */
// @ts-ignore: decorator
@inline
function penalised<T>(g: usize, wd: v128, p: v128): v128 {
  return f64x2.add(load2<T>(g), f64x2.mul(wd, p));
}

// g' = g + wd p; momentum: b = first ? g' : mu b + (1 - dampening) g', p -= lr (nesterov ? g' + mu b : b); else p -= lr g'.
// @ts-ignore: decorator
@inline
function sgd<T>(p: usize, g: usize, buf: usize, n: i32, lr: f64, wd: f64, mu: f64, damp1: f64, first: bool, nesterov: bool): void {
  const S = pair<T>();
  const end = endOf<T>(p, n);
  const LR = f64x2.splat(lr), WD = f64x2.splat(wd), MU = f64x2.splat(mu), D1 = f64x2.splat(damp1);
  for (; p < end; p += S, g += S, buf += S) {
    const pi = load2<T>(p);
    const gi = penalised<T>(g, WD, pi);
    let step = gi;
    if (mu != 0) {
      const b = first ? gi : f64x2.add(f64x2.mul(MU, load2<T>(buf)), f64x2.mul(D1, gi));
      store2<T>(buf, b);
      step = nesterov ? f64x2.add(gi, f64x2.mul(MU, b)) : b;
    }
    store2<T>(p, f64x2.sub(pi, f64x2.mul(LR, step)));
  }
}

export function sgdF32(p: usize, g: usize, buf: usize, n: i32, lr: f64, wd: f64, mu: f64, damp1: f64, first: bool, nesterov: bool): void {
  sgd<f32>(p, g, buf, n, lr, wd, mu, damp1, first, nesterov);
}
export function sgdF64(p: usize, g: usize, buf: usize, n: i32, lr: f64, wd: f64, mu: f64, damp1: f64, first: bool, nesterov: bool): void {
  sgd<f64>(p, g, buf, n, lr, wd, mu, damp1, first, nesterov);
}

// g' = g + coupled p; m = b1 m + a1 g'; v = b2 v + a2 g' g'; amsgrad: vMax = max(vMax, v) replaces v;
// p = p shrink - stepSize m / (sqrt(v) / rootC2 + eps), with a1 = 1 - b1 and a2 = 1 - b2.
// @ts-ignore: decorator
@inline
function adam<T>(p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32, b1: f64, b2: f64, stepSize: f64, rootC2: f64, eps: f64, coupled: f64, shrink: f64, amsgrad: bool): void {
  const S = pair<T>();
  const end = endOf<T>(p, n);
  const B1 = f64x2.splat(b1), A1 = f64x2.splat(1 - b1), B2 = f64x2.splat(b2), A2 = f64x2.splat(1 - b2),
    STEP = f64x2.splat(stepSize), ROOT_C2 = f64x2.splat(rootC2), EPS = f64x2.splat(eps),
    COUPLED = f64x2.splat(coupled), SHRINK = f64x2.splat(shrink);
  for (; p < end; p += S, g += S, m += S, v += S, vMax += S) {
    const pi = load2<T>(p);
    const gi = penalised<T>(g, COUPLED, pi);
    const mi = f64x2.add(f64x2.mul(B1, load2<T>(m)), f64x2.mul(A1, gi));
    let vi = f64x2.add(f64x2.mul(B2, load2<T>(v)), f64x2.mul(f64x2.mul(A2, gi), gi));
    store2<T>(m, mi);
    store2<T>(v, vi);
    if (amsgrad) {
      vi = f64x2.max(load2<T>(vMax), vi);
      store2<T>(vMax, vi);
    }
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(vi), ROOT_C2), EPS);
    store2<T>(p, f64x2.sub(f64x2.mul(pi, SHRINK), f64x2.div(f64x2.mul(STEP, mi), denom)));
  }
}

export function adamF32(p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32, b1: f64, b2: f64, stepSize: f64, rootC2: f64, eps: f64, coupled: f64, shrink: f64, amsgrad: bool): void {
  adam<f32>(p, g, m, v, vMax, n, b1, b2, stepSize, rootC2, eps, coupled, shrink, amsgrad);
}
export function adamF64(p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32, b1: f64, b2: f64, stepSize: f64, rootC2: f64, eps: f64, coupled: f64, shrink: f64, amsgrad: bool): void {
  adam<f64>(p, g, m, v, vMax, n, b1, b2, stepSize, rootC2, eps, coupled, shrink, amsgrad);
}

// g' = g + wd p; v = alpha v + (1 - alpha) g' g'; centered: gAvg = alpha gAvg + (1 - alpha) g' and
// denom = sqrt(v - gAvg^2) + eps, else sqrt(v) + eps; momentum: buf = mu buf + g' / denom, p -= lr buf; else
// p -= lr g' / denom.
// @ts-ignore: decorator
@inline
function rmsprop<T>(p: usize, g: usize, v: usize, gAvg: usize, buf: usize, n: i32, lr: f64, alpha: f64, eps: f64, wd: f64, mu: f64, centered: bool): void {
  const S = pair<T>();
  const end = endOf<T>(p, n);
  const LR = f64x2.splat(lr), ALPHA = f64x2.splat(alpha), A = f64x2.splat(1 - alpha), EPS = f64x2.splat(eps),
    WD = f64x2.splat(wd), MU = f64x2.splat(mu);
  for (; p < end; p += S, g += S, v += S, gAvg += S, buf += S) {
    const pi = load2<T>(p);
    const gi = penalised<T>(g, WD, pi);
    const vi = f64x2.add(f64x2.mul(ALPHA, load2<T>(v)), f64x2.mul(f64x2.mul(A, gi), gi));
    store2<T>(v, vi);
    let square = asStored<T>(vi);
    if (centered) {
      const ai = f64x2.add(f64x2.mul(ALPHA, load2<T>(gAvg)), f64x2.mul(A, gi));
      store2<T>(gAvg, ai);
      const a = asStored<T>(ai);
      square = f64x2.sub(square, f64x2.mul(a, a));
    }
    const denom = f64x2.add(f64x2.sqrt(square), EPS);
    if (mu != 0) {
      const b = f64x2.add(f64x2.mul(MU, load2<T>(buf)), f64x2.div(gi, denom));
      store2<T>(buf, b);
      store2<T>(p, f64x2.sub(pi, f64x2.mul(LR, b)));
    } else store2<T>(p, f64x2.sub(pi, f64x2.div(f64x2.mul(LR, gi), denom)));
  }
}

export function rmspropF32(p: usize, g: usize, v: usize, gAvg: usize, buf: usize, n: i32, lr: f64, alpha: f64, eps: f64, wd: f64, mu: f64, centered: bool): void {
  rmsprop<f32>(p, g, v, gAvg, buf, n, lr, alpha, eps, wd, mu, centered);
}
export function rmspropF64(p: usize, g: usize, v: usize, gAvg: usize, buf: usize, n: i32, lr: f64, alpha: f64, eps: f64, wd: f64, mu: f64, centered: bool): void {
  rmsprop<f64>(p, g, v, gAvg, buf, n, lr, alpha, eps, wd, mu, centered);
}

// g' = g + wd p; sum += g' g'; p -= lr g' / (sqrt(sum) + eps), lr already decayed for the step.
// @ts-ignore: decorator
@inline
function adagrad<T>(p: usize, g: usize, sum: usize, n: i32, lr: f64, wd: f64, eps: f64): void {
  const S = pair<T>();
  const end = endOf<T>(p, n);
  const LR = f64x2.splat(lr), WD = f64x2.splat(wd), EPS = f64x2.splat(eps);
  for (; p < end; p += S, g += S, sum += S) {
    const pi = load2<T>(p);
    const gi = penalised<T>(g, WD, pi);
    const si = f64x2.add(load2<T>(sum), f64x2.mul(gi, gi));
    store2<T>(sum, si);
    store2<T>(p, f64x2.sub(pi, f64x2.div(f64x2.mul(LR, gi), f64x2.add(f64x2.sqrt(asStored<T>(si)), EPS))));
  }
}

export function adagradF32(p: usize, g: usize, sum: usize, n: i32, lr: f64, wd: f64, eps: f64): void {
  adagrad<f32>(p, g, sum, n, lr, wd, eps);
}
export function adagradF64(p: usize, g: usize, sum: usize, n: i32, lr: f64, wd: f64, eps: f64): void {
  adagrad<f64>(p, g, sum, n, lr, wd, eps);
}
