/**
 * The WGSL of every kernel, as functions of what varies (an op's expression, a reduction's combining step), so each
 * distinct kernel is compiled once and cached by its source. Conventions: binding 0 is a read-only u32 array of
 * parameters (sizes, shapes, strides; its first entry the number of outputs), the inputs follow, the output is last.
 * Flat kernels run 256 threads a workgroup over a 2-D grid of workgroups (WebGPU caps each grid axis at 65,535).
 */

// Infinities and NaN from bit patterns held in private variables: WGSL rejects a constant expression that is not finite.
const SPECIALS = `
var<private> POS_INF_BITS: u32 = 0x7f800000u;
var<private> NEG_INF_BITS: u32 = 0xff800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn posInf() -> f32 { return bitcast<f32>(POS_INF_BITS); }
fn negInf() -> f32 { return bitcast<f32>(NEG_INF_BITS); }
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }
`;

export const FLAT_HEADER = `${SPECIALS}
@group(0) @binding(0) var<storage, read> p: array<u32>;
fn flatIndex(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 256u; }
`;

/** Threads per workgroup of the flat kernels. */
export const FLAT_WORKGROUP = 256;

/**
 * A flat kernel's entry point (after FLAT_HEADER): one thread per element, `index` naming the thread's element, and
 * the threads past `count` (p[0], the element count, unless given) returning at once. The body and its `}` follow.
 */
export const flatMain = (index: string, count = 'p[0]'): string =>
  `@compute @workgroup_size(${FLAT_WORKGROUP}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let ${index} = flatIndex(gid, nwg);
  if (${index} >= ${count}) { return; }`;

/** Stable float32 helpers the elementwise expressions use. */
export const MATH = `
fn tanhStable(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
fn sigmoidStable(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn softplusStable(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
fn isNan(x: f32) -> bool { return !(x == x); }
// log with IEEE's edges, which SwiftShader's log does not give (log(-2) came back finite, log(0) -88).
fn logIeee(x: f32) -> f32 {
  if (x == posInf()) { return x; }
  if (x > 0.0) { return log(x); }
  if (x == 0.0) { return negInf(); }
  return nan();
}
// erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under float32's resolution near 1).
fn erfApprox(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return sign(x) * y;
}
// log(1 + x) and exp(x) - 1 by their Taylor series for |x| < 0.05 (error below 1e-7 relative), where the plain forms
// cancel; Kahan's tricks need a log exact near 1, which SwiftShader's is not (it lost 5% at x = 1e-6).
fn log1pSeries(x: f32) -> f32 {
  if (abs(x) >= 0.05) { return logIeee(1.0 + x); }
  return x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * (0.25 - x * 0.2))));
}
fn expm1Series(x: f32) -> f32 {
  if (abs(x) >= 0.05) { return exp(x) - 1.0; }
  return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x / 120.0))));
}
fn siluGradOf(g: f32, x: f32) -> f32 { let s = sigmoidStable(x); return g * s * (1.0 + x * (1.0 - s)); }
// gelu (PyTorch's 'none' and 'tanh' forms) and its derivative.
fn geluOf(x: f32, tanhForm: bool) -> f32 {
  if (tanhForm) { return 0.5 * x * (1.0 + tanhStable(0.7978845608 * (x + 0.044715 * x * x * x))); }
  return 0.5 * x * (1.0 + erfApprox(x * 0.7071067812));
}
fn geluSlope(x: f32, tanhForm: bool) -> f32 {
  if (tanhForm) {
    let t = tanhStable(0.7978845608 * (x + 0.044715 * x * x * x));
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * 0.7978845608 * (1.0 + 3.0 * 0.044715 * x * x);
  }
  return 0.5 * (1.0 + erfApprox(x * 0.7071067812)) + x * exp(-0.5 * x * x) * 0.3989422804;
}
// Math.pow's cases: x^0 = 1, a negative base only to an integer power.
fn powJs(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a == 0.0) { if (b > 0.0) { return 0.0; } return posInf(); }
  let r = pow(abs(a), b);
  if (a > 0.0) { return r; }
  if (fract(b) != 0.0) { return nan(); }
  if (fract(b * 0.5) != 0.0) { return -r; }
  return r;
}
`;

/** y = f(x), elementwise; params [size]. */
export function unarySource(expression: string): string {
  return `${FLAT_HEADER}${MATH}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
fn f(x: f32) -> f32 { return ${expression}; }
${flatMain('i')}
  y[i] = f(x[i]);
}`;
}

/** Walks a flat output index to the offsets of two strided operands; params [size, rank, shape, stridesA, stridesB]. */
const TWO_OFFSETS = `
fn offsets(i: u32) -> vec2u {
  let rank = p[1];
  var rem = i;
  var o = vec2u(0u, 0u);
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let extent = p[2u + k];
    let c = rem % extent;
    rem = rem / extent;
    o += c * vec2u(p[2u + rank + k], p[2u + 2u * rank + k]);
  }
  return o;
}`;

/** y = f(a, b) with NumPy broadcasting (a stride of 0 repeats an operand along an axis). */
export function binarySource(expression: string): string {
  return `${FLAT_HEADER}${MATH}${TWO_OFFSETS}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
fn f(a: f32, b: f32) -> f32 { return ${expression}; }
${flatMain('i')}
  let o = offsets(i);
  y[i] = f(a[o.x], b[o.y]);
}`;
}

/**
 * dst[dstOffset + sum i_d dstStride_d] = src[srcOffset + sum i_d srcStride_d] over an index space: transpose,
 * broadcast, slice and pad are this one kernel with different strides. Params [size, rank, shape, srcStrides,
 * dstStrides, srcOffset, dstOffset]. `element` is f32 or i32.
 */
export function stridedCopySource(element: 'f32' | 'i32'): string {
  return `${FLAT_HEADER}${TWO_OFFSETS}
@group(0) @binding(1) var<storage, read> src: array<${element}>;
@group(0) @binding(2) var<storage, read_write> dst: array<${element}>;
${flatMain('i')}
  let rank = p[1];
  let o = offsets(i);
  dst[p[2u + 3u * rank + 1u] + o.y] = src[p[2u + 3u * rank] + o.x];
}`;
}

/** x += alpha * other (other strided/broadcast), in place; params [size, rank, shape, 0-strides, otherStrides, alpha bits]. */
export const ADD_IN_PLACE = `${FLAT_HEADER}${TWO_OFFSETS}
@group(0) @binding(1) var<storage, read> other: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
${flatMain('i')}
  let alpha = bitcast<f32>(p[2u + 3u * p[1]]);
  x[i] = x[i] + alpha * other[offsets(i).y];
}`;

/** x *= factor, in place; params [size, factor bits]. */
export const MUL_IN_PLACE = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
${flatMain('i')}
  x[i] = x[i] * bitcast<f32>(p[1]);
}`;

/** float32 <-> int32 (truncation toward zero, as NumPy's astype); params [size]. */
export function castSource(from: 'f32' | 'i32', to: 'f32' | 'i32'): string {
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<${from}>;
@group(0) @binding(2) var<storage, read_write> y: array<${to}>;
${flatMain('i')}
  y[i] = ${to}(${from === 'f32' ? 'trunc(x[i])' : 'x[i]'});
}`;
}

/** Side of the square block of the output one workgroup computes (16 x 16 threads, each a 4 x 4 block of it). */
export const TILE = 64;

/** The 4 x 4 accumulators of a matmul thread as scalars, every loop over them unrolled (no private arrays). */
const UNROLLED = (() => {
  const ij = [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => [i, j] as const));
  return {
    declare: ij.map(([i, j]) => `var c${i}${j} = 0.0;`).join(' '),
    step: [
      ...[0, 1, 2, 3].map((i) => `let a${i} = tileA[lid.y + ${16 * i}u][kk];`),
      ...[0, 1, 2, 3].map((j) => `let b${j} = tileB[kk][lid.x + ${16 * j}u];`),
      ...ij.map(([i, j]) => `c${i}${j} += a${i} * b${j};`),
    ].join('\n      '),
    store: ij
      .map(
        ([i, j]) =>
          `if (row0 + lid.y + ${16 * i}u < M && col0 + lid.x + ${16 * j}u < N) { c[batch * M * N + (row0 + lid.y + ${16 * i}u) * N + col0 + lid.x + ${16 * j}u] = c${i}${j}; }`,
      )
      .join('\n  '),
  };
})();

/**
 * C = op(A) op(B), batched, register-blocked: a workgroup of 16 x 16 threads computes a 64 x 64 block of C, each
 * thread the 4 x 4 outputs at rows ty + 16 i and columns tx + 16 j. Per step of 16 along k the workgroup stages a
 * 64 x 16 block of op(A) and a 16 x 64 block of op(B) in workgroup memory (four loads a thread each, consecutive
 * threads reading consecutive elements), and each thread then does 16 x 4 x 4 multiply-adds from 16 x 8 reads of
 * it: an element read from global memory serves 64 multiply-adds, and a barrier 1,024 per thread. The accumulators
 * are 16 scalars and their loops unrolled: SwiftShader keeps a private array in memory, and unrolling made the
 * product 3x faster there. The transposes are read in place (no copy); an operand read along its rows with a length
 * that is a multiple of 4 is read as vec4s (one load a thread). Params [M, N, K, transposeA, transposeB, batches,
 * then per batch: offset of A, of B].
 */
export function matmulSource(vectorA: boolean, vectorB: boolean): string {
  // A thread's loads of the A block (64 rows x 16 along k) and the B block (16 along k x 64 columns): four scalars
  // each, or with vectorA (A not transposed, K a multiple of 4) one vec4 of a row, with vectorB (B not transposed, N a
  // multiple of 4) one vec4 of a k-row; offsets of whole batches are then multiples of 4 too.
  const loadA = vectorA
    ? `{
      let ar = row0 + t / 4u; let ak = k0 + 4u * (t % 4u);
      var av = vec4f(0.0);
      if (ar < M && ak < K) { av = a4[(aOff + ar * K + ak) / 4u]; }
      for (var q = 0u; q < 4u; q++) { tileA[t / 4u][4u * (t % 4u) + q] = av[q]; }
    }`
    : `for (var r = 0u; r < 4u; r++) {
      let e = t + 256u * r;
      let ar = row0 + e / 16u; let ak = k0 + e % 16u;
      var av = 0.0;
      if (ar < M && ak < K) {
        if (transA) { av = a[aOff + ak * M + ar]; } else { av = a[aOff + ar * K + ak]; }
      }
      tileA[e / 16u][e % 16u] = av;
    }`;
  const loadB = vectorB
    ? `{
      let bk = k0 + t / 16u; let bc = col0 + 4u * (t % 16u);
      var bv = vec4f(0.0);
      if (bk < K && bc < N) { bv = b4[(bOff + bk * N + bc) / 4u]; }
      for (var q = 0u; q < 4u; q++) { tileB[t / 16u][4u * (t % 16u) + q] = bv[q]; }
    }`
    : `for (var r = 0u; r < 4u; r++) {
      let e = t + 256u * r;
      let bk = k0 + e / ${TILE}u; let bc = col0 + e % ${TILE}u;
      var bv = 0.0;
      if (bk < K && bc < N) {
        if (transB) { bv = b[bOff + bc * K + bk]; } else { bv = b[bOff + bk * N + bc]; }
      }
      tileB[e / ${TILE}u][e % ${TILE}u] = bv;
    }`;
  return `
@group(0) @binding(0) var<storage, read> p: array<u32>;
${vectorA ? '@group(0) @binding(1) var<storage, read> a4: array<vec4f>;' : '@group(0) @binding(1) var<storage, read> a: array<f32>;'}
${vectorB ? '@group(0) @binding(2) var<storage, read> b4: array<vec4f>;' : '@group(0) @binding(2) var<storage, read> b: array<f32>;'}
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
var<workgroup> tileA: array<array<f32, 16>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, 16>;
@compute @workgroup_size(16, 16) fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = p[0]; let N = p[1]; let K = p[2];
  let transA = p[3] == 1u; let transB = p[4] == 1u;
  let batch = wg.z;
  let aOff = p[6u + 2u * batch];
  let bOff = p[7u + 2u * batch];
  let row0 = wg.y * ${TILE}u;
  let col0 = wg.x * ${TILE}u;
  let t = lid.y * 16u + lid.x;
  ${UNROLLED.declare}
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      ${UNROLLED.step}
    }
    workgroupBarrier();
  }
  ${UNROLLED.store}
}`;
}

/** Threads that share one output element of a reduction. */
export const REDUCE_WORKGROUP = 64;

/** The reductions' bindings and index walk: params [outputs, reduced count, kept rank, reduced rank, kept shape, kept
 * strides, reduced shape, reduced strides]; `walk` maps a flat index over kept (or reduced) axes to an offset. */
const REDUCE_HEADER = `${SPECIALS}
@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
var<workgroup> part: array<f32, ${REDUCE_WORKGROUP}>;
fn walk(flat: u32, rank: u32, shapeAt: u32) -> u32 {
  var rem = flat;
  var off = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let extent = p[shapeAt + k];
    off += (rem % extent) * p[shapeAt + rank + k];
    rem = rem / extent;
  }
  return off;
}`;

/** Folds part[] into part[0] with the WGSL function `combine`, a tree over the workgroup's threads (all run it). */
export const tree = (combine: string): string => `
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { part[li] = ${combine}(part[li], part[li + s]); }
    workgroupBarrier();
  }`;

const REDUCE_ENTRY = `@compute @workgroup_size(${REDUCE_WORKGROUP}) fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32) {
  let o = wg.x + wg.y * nwg.x;
  if (o >= p[0]) { return; }
  let count = p[1]; let kept = p[2]; let reduced = p[3];
  let base = walk(o, kept, 4u);`;

/**
 * One workgroup per output element: its threads combine strided parts of the reduced elements, then a tree in
 * workgroup memory combines theirs (params: REDUCE_HEADER's). `combine` is `acc + v`, `max(acc, v)` or `min(acc, v)`.
 */
export function reduceSource(init: string, combine: string): string {
  return `${REDUCE_HEADER}
fn combine(acc: f32, v: f32) -> f32 { return ${combine}; }
${REDUCE_ENTRY}
  var acc = ${init};
  for (var r = li; r < count; r += ${REDUCE_WORKGROUP}u) { acc = combine(acc, x[base + walk(r, reduced, 4u + 2u * kept)]); }
  part[li] = acc;${tree('combine')}
  if (li == 0u) { y[o] = part[0]; }
}`;
}

/**
 * The same reduction with one thread per output element, for few reduced elements per output (a workgroup there
 * would leave most of its threads idle: the sum over a batch of 8 that a broadcast weight's gradient takes ran 65,536
 * workgroups of 64 threads, 15x slower on SwiftShader). Params: REDUCE_HEADER's.
 */
export function reduceEachSource(init: string, combine: string): string {
  return `${REDUCE_HEADER}
fn combine(acc: f32, v: f32) -> f32 { return ${combine}; }
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = gid.x + gid.y * nwg.x * 256u;
  if (o >= p[0]) { return; }
  let count = p[1]; let kept = p[2]; let reduced = p[3];
  let base = walk(o, kept, 4u);
  var acc = ${init};
  for (var r = 0u; r < count; r++) { acc = combine(acc, x[base + walk(r, reduced, 4u + 2u * kept)]); }
  y[o] = acc;
}`;
}

/**
 * log sum exp over the reduced elements, as reduceSource's workgroups in two trees: the maximum m (NaN wins), then
 * sum exp(v - m), and m + log(sum). A non-finite m is the answer itself (NaN, +Infinity, or -Infinity when every
 * element is -Infinity), as the CPU kernel gives; written out because SwiftShader's exp and log of NaN and 0 are not
 * IEEE's (exp(NaN) came back Infinity, log(0) -88).
 */
export const LOG_SUM_EXP = `${REDUCE_HEADER}
var<workgroup> top: f32;
fn maxNan(acc: f32, v: f32) -> f32 { return select(acc, v, v > acc || !(v == v)); }
fn plus(acc: f32, v: f32) -> f32 { return acc + v; }
${REDUCE_ENTRY}
  var most = negInf();
  for (var r = li; r < count; r += ${REDUCE_WORKGROUP}u) { most = maxNan(most, x[base + walk(r, reduced, 4u + 2u * kept)]); }
  part[li] = most;${tree('maxNan')}
  if (li == 0u) { top = part[0]; }
  workgroupBarrier();
  let m = top;
  let finite = abs(m) < posInf();
  let c = select(0.0, m, finite);
  var acc = 0.0;
  for (var r = li; r < count; r += ${REDUCE_WORKGROUP}u) { acc += exp(x[base + walk(r, reduced, 4u + 2u * kept)] - c); }
  part[li] = acc;${tree('plus')}
  if (li == 0u) { y[o] = select(m, c + log(part[0]), finite); }
}`;

/** Elementwise kernels with numbers (params [size, number bits...]): bounds of clamp, the slope of leakyRelu. NaN stays NaN. */
export const PARAMETRIC_EXPRESSIONS = {
  clamp: 'select(select(x, bitcast<f32>(p[2]), x > bitcast<f32>(p[2])), bitcast<f32>(p[1]), x < bitcast<f32>(p[1]))',
  leakyRelu: 'select(bitcast<f32>(p[1]) * x, x, x > 0.0)',
  gelu: 'geluOf(x, bitcast<f32>(p[1]) == 1.0)',
} as const;

/**
 * softmax or log-softmax along one axis, one thread per slice, shifted by the slice's maximum first (nothing
 * overflows). Params [slices, axis length, inner size (the axis stride)].
 */
export function softmaxSource(log: boolean): string {
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${flatMain('r')}
  let n = p[1]; let inner = p[2];
  let base = (r / inner) * n * inner + r % inner;
  var m = negInf();
  for (var j = 0u; j < n; j++) { m = max(m, x[base + j * inner]); }
  if (!(m > negInf() && m < posInf())) { m = 0.0; }
  var s = 0.0;
  for (var j = 0u; j < n; j++) { s += exp(x[base + j * inner] - m); }
  let ls = log(s);
  for (var j = 0u; j < n; j++) {
    let z = x[base + j * inner] - m;
    y[base + j * inner] = ${log ? 'z - ls' : 'exp(z) / s'};
  }
}`;
}

/** The WGSL expression of each unary kernel of core, by the kernel's name. */
export const UNARY_EXPRESSIONS: Readonly<Record<string, string>> = {
  neg: '-x',
  exp: 'exp(x)',
  log: 'logIeee(x)',
  sqrt: 'sqrt(x)',
  sin: 'sin(x)',
  cos: 'cos(x)',
  tanh: 'tanhStable(x)',
  abs: 'abs(x)',
  sign: 'sign(x)',
  relu: 'select(0.0, x, x > 0.0 || isNan(x))',
  erf: 'erfApprox(x)',
  sigmoid: 'sigmoidStable(x)',
  softplus: 'softplusStable(x)',
  logicalNot: 'select(0.0, 1.0, x == 0.0)',
  isNaN: 'select(0.0, 1.0, isNan(x))',
  isFinite: 'select(0.0, 1.0, x - x == 0.0)',
  silu: 'x * sigmoidStable(x)',
  log1p: 'log1pSeries(x)',
  expm1: 'expm1Series(x)',
  sinh: 'sinh(x)',
  cosh: 'cosh(x)',
  asin: 'asin(x)',
  acos: 'acos(x)',
  atan: 'atan(x)',
  asinh: 'asinh(x)',
  acosh: 'acosh(x)',
  atanh: 'atanh(x)',
};

/** The WGSL expression of each binary kernel of core, by the kernel's name. */
export const BINARY_EXPRESSIONS: Readonly<Record<string, string>> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'powJs(a, b)',
  maximum: 'select(b, a, a > b || isNan(a))',
  minimum: 'select(b, a, a < b || isNan(a))',
  greater: 'select(0.0, 1.0, a > b)',
  greaterEqual: 'select(0.0, 1.0, a >= b)',
  lessEqual: 'select(0.0, 1.0, a <= b)',
  equal: 'select(0.0, 1.0, a == b)',
  // The comparison ops' kernels (core's kernels/logical.ts): 1 where the predicate holds, NaN true as a value.
  eq: 'select(0.0, 1.0, a == b)',
  ne: 'select(0.0, 1.0, a != b)',
  lt: 'select(0.0, 1.0, a < b)',
  le: 'select(0.0, 1.0, a <= b)',
  gt: 'select(0.0, 1.0, a > b)',
  ge: 'select(0.0, 1.0, a >= b)',
  logicalAnd: 'select(0.0, 1.0, a != 0.0 && b != 0.0)',
  logicalOr: 'select(0.0, 1.0, a != 0.0 || b != 0.0)',
  logicalXor: 'select(0.0, 1.0, (a != 0.0) != (b != 0.0))',
  tanhGrad: 'a * (1.0 - b * b)',
  addRelu: 'select(0.0, a + b, a + b > 0.0 || isNan(a + b))',
  reluGrad: 'select(0.0 * a, a, b > 0.0)',
  sigmoidGrad: 'a * b * (1.0 - b)',
  siluGrad: 'siluGradOf(a, b)',
  atan2: 'atan2(a, b)',
  // upstream * gelu'(x), a the upstream gradient and b = x, for each form (see the backend's gelu)
  geluGradNone: 'a * geluSlope(b, false)',
  geluGradTanh: 'a * geluSlope(b, true)',
};
