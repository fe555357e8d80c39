/**
 * The WGSL of the kernels along one axis (see ../axes.ts): the running sum, the stable sort's indices, and the flat
 * positions take/scatterAlongAxis read through gather and scatterAdd. An array is viewed as [outer, n, inner] around
 * the axis, a line being the n elements of one (outer, inner) pair.
 */
import { FLAT_HEADER, flatMain } from './wgsl.js';

const MAIN = flatMain('t');

/** One thread per line adds along it, from the end when reversed. Params [lines, n, inner, reverse]. */
export const CUMSUM = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${MAIN}
  let n = p[1]; let inner = p[2];
  let base = (t / inner) * n * inner + t % inner;
  var acc = 0.0;
  for (var j = 0u; j < n; j++) {
    let at = base + select(j, n - 1u - j, p[3] == 1u) * inner;
    acc += x[at];
    y[at] = acc;
  }
}`;

/**
 * cumprod's kernels, one thread per line (core's kernels/axes.ts): p[3] = 0 the running product of x; 1 its gradient
 * from g, exact with zeros and without a division (dx_i = P_i S_i, P_i the product before i, S_i = g_i + x_(i+1)
 * S_(i+1)). Params [lines, n, inner, kind].
 */
export const CUMPROD = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${MAIN}
  let n = p[1]; let inner = p[2];
  let base = (t / inner) * n * inner + t % inner;
  if (p[3] == 0u) {
    var acc = 1.0;
    for (var j = 0u; j < n; j++) { acc *= x[base + j * inner]; out[base + j * inner] = acc; }
  } else {
    var s = 0.0;
    for (var r = 0u; r < n; r++) {
      let j = n - 1u - r;
      var next = 0.0;
      if (j + 1u < n) { next = x[base + (j + 1u) * inner] * s; }
      s = g[base + j * inner] + next;
      out[base + j * inner] = s;
    }
    var before = 1.0;
    for (var j = 0u; j < n; j++) { out[base + j * inner] *= before; before *= x[base + j * inner]; }
  }
}`;

/**
 * One thread per element: its place in its line's stable order is the number of elements that come before it (NaN
 * after every number ascending, before descending; equal values in index order), and the first k places are written.
 * Params [elements, n, inner, k, descending]; quadratic in n per line, all in parallel.
 */
export const SORTED_INDICES = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
fn comesBefore(a: f32, b: f32, ia: u32, ib: u32) -> bool {
  let nanA = !(a == a);
  let nanB = !(b == b);
  if (p[4] == 1u) {
    if (a > b) { return true; }
    if (a < b) { return false; }
    if (nanA != nanB) { return nanA; }
  } else {
    if (a < b) { return true; }
    if (a > b) { return false; }
    if (nanA != nanB) { return nanB; }
  }
  return ia < ib;
}
${MAIN}
  let n = p[1]; let inner = p[2]; let k = p[3];
  let o = t / (n * inner); let j = (t / inner) % n; let i = t % inner;
  let base = o * n * inner + i;
  let v = x[base + j * inner];
  var place = 0u;
  for (var m = 0u; m < n; m++) {
    if (m != j && comesBefore(x[base + m * inner], v, m, j)) { place++; }
  }
  if (place < k) { out[(o * k + place) * inner + i] = i32(j); }
}`;

/**
 * For each index of take/scatterAlongAxis, the flat position it picks in the [outer, n, inner] array (an index outside
 * [0, n) gives -1, which gather reads as 0 and scatterAdd skips). Params [indices, m (their axis length), n, inner].
 */
export const ALONG_POSITIONS = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> positions: array<i32>;
${MAIN}
  let m = p[1]; let n = p[2]; let inner = p[3];
  let o = t / (m * inner); let i = t % inner;
  let at = indices[t];
  positions[t] = select(-1, i32((o * n + u32(at)) * inner + i), at >= 0 && u32(at) < n);
}`;
