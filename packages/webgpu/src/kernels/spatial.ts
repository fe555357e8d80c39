/**
 * The WGSL of the convolution and pooling kernels, NCHW as core's (kernels/conv.ts and kernels/pool.ts there), and
 * of gather and its adjoint. A convolution is im2col, then the tiled matrix product of wgsl.ts (batched over the
 * groups), and its input gradient the product then col2im; both reorderings are gathers written here, one thread per
 * element written, so no two threads write one place. Only scatterAdd, whose targets repeat, adds atomically.
 */
import { FLAT_HEADER, flatMain } from './wgsl.js';

const MAIN = flatMain('o');

/** A window's numbers (core's WindowGeometry), in the order POOL_PARAMS reads them (after the element count). */
export const POOL_FIELDS = [
  'height',
  'width',
  'kernelH',
  'kernelW',
  'strideH',
  'strideW',
  'dilationH',
  'dilationW',
  'padTop',
  'padLeft',
  'outH',
  'outW',
] as const;

/** The convolution's numbers, in the order CONV_PARAMS reads them (after the element count): the window's, between. */
export const CONV_FIELDS = ['inChannels', ...POOL_FIELDS, 'batch'] as const;

const CONV_PARAMS = `
  let C = p[1]; let H = i32(p[2]); let W = i32(p[3]); let kh = p[4]; let kw = p[5];
  let sh = i32(p[6]); let sw = i32(p[7]); let dh = i32(p[8]); let dw = i32(p[9]);
  let padTop = i32(p[10]); let padLeft = i32(p[11]); let outH = p[12]; let outW = p[13]; let N = p[14];
  let cols = N * outH * outW;`;

/** col[k, q] = x[b, c, oh sh - padTop + i dh, ow sw - padLeft + j dw] (0 outside), k = (c, i, j), q = (b, oh, ow). */
export const IM2COL = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> col: array<f32>;
${MAIN}${CONV_PARAMS}
  let k = o / cols; let q = o % cols;
  let c = k / (kh * kw); let i = i32((k / kw) % kh); let j = i32(k % kw);
  let b = q / (outH * outW); let oh = i32((q / outW) % outH); let ow = i32(q % outW);
  let ih = oh * sh - padTop + i * dh;
  let iw = ow * sw - padLeft + j * dw;
  var v = 0.0;
  if (ih >= 0 && ih < H && iw >= 0 && iw < W) { v = x[((b * C + c) * u32(H) + u32(ih)) * u32(W) + u32(iw)]; }
  col[o] = v;
}`;

/** dx[b, c, h, w] = the sum of col's entries read from (b, c, h, w): col2im, one thread per element of dx. */
export const COL2IM = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> col: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
${MAIN}${CONV_PARAMS}
  let w = i32(o % u32(W)); let h = i32((o / u32(W)) % u32(H));
  let c = (o / u32(W * H)) % C; let b = o / (u32(W * H) * C);
  var acc = 0.0;
  for (var i = 0u; i < kh; i++) {
    let ohs = h + padTop - i32(i) * dh;
    if (ohs < 0 || ohs % sh != 0 || ohs / sh >= i32(outH)) { continue; }
    for (var j = 0u; j < kw; j++) {
      let ows = w + padLeft - i32(j) * dw;
      if (ows < 0 || ows % sw != 0 || ows / sw >= i32(outW)) { continue; }
      acc += col[((c * kh + i) * kw + j) * cols + (b * outH + u32(ohs / sh)) * outW + u32(ows / sw)];
    }
  }
  dx[o] = acc;
}`;

const POOL_PARAMS = `
  let H = i32(p[1]); let W = i32(p[2]); let kh = i32(p[3]); let kw = i32(p[4]);
  let sh = i32(p[5]); let sw = i32(p[6]); let dh = i32(p[7]); let dw = i32(p[8]);
  let padTop = i32(p[9]); let padLeft = i32(p[10]); let outH = p[11]; let outW = p[12];`;

/** The first maximum of each window in row-major order (a NaN wins), and its flat index into x. */
export const MAX_POOL = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<i32>;
${MAIN}${POOL_PARAMS}
  let ow = i32(o % outW); let oh = i32((o / outW) % outH); let plane = i32(o / (outW * outH));
  let h0 = oh * sh - padTop; let w0 = ow * sw - padLeft;
  var best = negInf();
  var at = -1;
  for (var i = 0; i < kh; i++) {
    let h = h0 + i * dh;
    if (h < 0 || h >= H) { continue; }
    for (var j = 0; j < kw; j++) {
      let w = w0 + j * dw;
      if (w < 0 || w >= W) { continue; }
      let index = (plane * H + h) * W + w;
      let v = x[index];
      if (at < 0) { at = index; }
      if (v > best || !(v == v)) { best = v; at = index; }
    }
  }
  y[o] = best;
  arg[o] = at;
}`;

/** The taps of a window along one axis that fall inside [0, size): [lo, hi). */
const TAPS = `
fn taps(start: i32, count: i32, size: i32) -> vec2i {
  let lo = max(0, -start);
  let hi = min(count, size - start);
  return vec2i(lo, max(lo, hi));
}
fn divisor(h0: i32, w0: i32, kh: i32, kw: i32, H: i32, W: i32, includePad: bool) -> f32 {
  if (includePad) { return f32(kh * kw); }
  let ti = taps(h0, kh, H); let tj = taps(w0, kw, W);
  return f32((ti.y - ti.x) * (tj.y - tj.x));
}`;

/** Average pooling: each window's sum over its divisor; params end with countIncludePad (0 or 1). */
export const AVG_POOL = `${FLAT_HEADER}${TAPS}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${MAIN}${POOL_PARAMS}
  let includePad = p[13] == 1u;
  let ow = i32(o % outW); let oh = i32((o / outW) % outH); let plane = i32(o / (outW * outH));
  let h0 = oh * sh - padTop; let w0 = ow * sw - padLeft;
  let ti = taps(h0, kh, H); let tj = taps(w0, kw, W);
  var sum = 0.0;
  for (var i = ti.x; i < ti.y; i++) {
    for (var j = tj.x; j < tj.y; j++) { sum += x[(plane * H + h0 + i) * W + w0 + j]; }
  }
  y[o] = sum / divisor(h0, w0, kh, kw, H, W, includePad);
}`;

/** Average pooling's adjoint, one thread per input element: the shares of every window that holds it. */
export const AVG_POOL_ADJOINT = `${FLAT_HEADER}${TAPS}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
${MAIN}${POOL_PARAMS}
  let includePad = p[13] == 1u;
  let w = i32(o % u32(W)); let h = i32((o / u32(W)) % u32(H)); let plane = i32(o / u32(W * H));
  // Windows oh whose rows oh sh - padTop .. + kh - 1 hold h.
  let ohLo = max(0, (h + padTop - kh + sh) / sh); let ohHi = min(i32(outH) - 1, (h + padTop) / sh);
  let owLo = max(0, (w + padLeft - kw + sw) / sw); let owHi = min(i32(outW) - 1, (w + padLeft) / sw);
  var acc = 0.0;
  for (var oh = ohLo; oh <= ohHi; oh++) {
    let h0 = oh * sh - padTop;
    if (h < h0 || h >= h0 + kh) { continue; }
    for (var ow = owLo; ow <= owHi; ow++) {
      let w0 = ow * sw - padLeft;
      if (w < w0 || w >= w0 + kw) { continue; }
      acc += dy[(plane * i32(outH) + oh) * i32(outW) + ow] / divisor(h0, w0, kh, kw, H, W, includePad);
    }
  }
  dx[o] = acc;
}`;

/** out[a, t, i] = x[a, indices[t], i]; params [size, indices count, axis length, inner]; an index out of range reads 0. */
export const GATHER = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
${MAIN}
  let count = p[1]; let n = p[2]; let inner = p[3];
  let i = o % inner; let t = (o / inner) % count; let a = o / (inner * count);
  let at = indices[t];
  var v = 0.0;
  if (at >= 0 && u32(at) < n) { v = x[(a * n + u32(at)) * inner + i]; }
  y[o] = v;
}`;

/**
 * out[a, indices[t], i] += g[a, t, i], one thread per element of g, into zeros: the float addition is a
 * compare-and-swap loop on the bits (WGSL has no float atomics). Params as GATHER's, `n` being the output's axis length.
 */
export const SCATTER_ADD = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<u32>>;
${MAIN}
  let count = p[1]; let n = p[2]; let inner = p[3];
  let i = o % inner; let t = (o / inner) % count; let a = o / (inner * count);
  let at = indices[t];
  if (at < 0 || u32(at) >= n) { return; }
  let slot = (a * n + u32(at)) * inner + i;
  let add = g[o];
  var old = atomicLoad(&out[slot]);
  loop {
    let swapped = atomicCompareExchangeWeak(&out[slot], old, bitcast<u32>(bitcast<f32>(old) + add));
    if (swapped.exchanged) { break; }
    old = swapped.old_value;
  }
}`;

/**
 * y = cond != 0 ? a : b with NumPy broadcasting (a stride of 0 repeats an operand); `condType` is cond's element type.
 * Params [size, rank, shape, cond strides, a strides, b strides].
 */
export function whereSource(condType: 'f32' | 'i32'): string {
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> cond: array<${condType}>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
${MAIN}
  let rank = p[1];
  var rem = o;
  var at = vec3u(0u, 0u, 0u);
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let c = rem % p[2u + k];
    rem = rem / p[2u + k];
    at += c * vec3u(p[2u + rank + k], p[2u + 2u * rank + k], p[2u + 3u * rank + k]);
  }
  y[o] = select(b[at.z], a[at.y], cond[at.x] != ${condType}(0));
}`;
}
