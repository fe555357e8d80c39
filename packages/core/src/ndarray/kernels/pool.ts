/**
 * 2-D pooling on NCHW typed arrays: max (with the flat index of each maximum, for its gradient) and average, and the
 * average's adjoint. Each window's in-range taps are found once per output position, so the inner loops carry no
 * bounds test.
 */
import { type TypedArray, allocate } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import type { WindowGeometry } from './window.js';
import { deviceKernel } from '../device.js';

/** One pooling's shapes: input [batch, channels, height, width] read as `planes` = batch * channels images. */
export interface PoolGeometry extends WindowGeometry {
  /** Images times channels: the planes pooled one by one. */
  readonly planes: number;
}

/** The taps t in [lo, hi) of a window starting at `start` whose positions start + t * step lie in [0, size). */
function taps(start: number, step: number, count: number, size: number): [number, number] {
  const lo = start >= 0 ? 0 : Math.ceil(-start / step);
  const hi = Math.min(count, start > size - 1 ? 0 : Math.floor((size - 1 - start) / step) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * The maximum of each window (padding counts as -Infinity) and the flat index into X of the element chosen: the first
 * maximum in row-major window order, or the last NaN (PyTorch's rule: `v > max || isnan(v)`).
 */
export function maxPool2dForward(x: NDArray, g: PoolGeometry, shape: readonly number[]): { values: NDArray; argmax: NDArray } {
  if (x.device !== undefined) return deviceKernel(x.device, 'maxPool2d').maxPool2d(x, g, shape);
  const { planes, height: H, width: W, outH, outW } = g;
  const X = x.data;
  const out = allocate(x.dtype, planes * outH * outW);
  const arg = new Int32Array(out.length);
  if (insideWindows(g)) {
    maxPoolInside(X, out, arg, g);
    return { values: new NDArray(out, shape), argmax: new NDArray(arg, shape) };
  }
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * g.strideH - g.padTop;
      const [iLo, iHi] = taps(h0, g.dilationH, g.kernelH, H);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * g.strideW - g.padLeft;
        const [jLo, jHi] = taps(w0, g.dilationW, g.kernelW, W);
        let best = -Infinity;
        let at = base + (h0 + iLo * g.dilationH) * W + w0 + jLo * g.dilationW;
        for (let i = iLo; i < iHi; i++) {
          const row = base + (h0 + i * g.dilationH) * W + w0;
          for (let j = jLo; j < jHi; j++) {
            const v = X[row + j * g.dilationW];
            if (v > best || v !== v) {
              best = v;
              at = row + j * g.dilationW;
            }
          }
        }
        out[o] = best;
        arg[o] = at;
      }
    }
  }
  return { values: new NDArray(out, shape), argmax: new NDArray(arg, shape) };
}

/**
 * maxPool2d's gradient: each output's dy added into the input element its argmax names (an element that is the
 * maximum of several windows gets the sum of theirs), written straight into an array of the input's shape.
 */
export function maxPool2dBackward(dy: NDArray, argmax: NDArray, inputShape: readonly number[]): NDArray {
  const G = dy.data;
  const A = argmax.data;
  const dx = allocate(
    dy.dtype,
    inputShape.reduce((a, b) => a * b, 1),
  );
  for (let o = 0; o < A.length; o++) dx[A[o]] += G[o];
  return new NDArray(dx, inputShape);
}

/** Whether every window lies inside the input, undilated (no padding read): the usual 2x2, stride 2 pool. */
function insideWindows(g: PoolGeometry): boolean {
  return (
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.dilationH === 1 &&
    g.dilationW === 1 &&
    (g.outH - 1) * g.strideH + g.kernelH <= g.height &&
    (g.outW - 1) * g.strideW + g.kernelW <= g.width
  );
}

/**
 * maxPool2dForward when insideWindows(g): the same choice of maximum (the first in window order, or the last NaN)
 * without the per-position tap ranges, which cost a third of a LeNet step's pooling time. The value is read back at
 * the index chosen (a NaN chosen reads as NaN).
 */
function maxPoolInside(X: TypedArray, out: TypedArray, arg: Int32Array, g: PoolGeometry): void {
  const { planes, height: H, width: W, outH, outW, kernelH: kh, kernelW: kw, strideH: sh, strideW: sw } = g;
  const twoByTwo = kh === 2 && kw === 2;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < outH; oh++) {
      const top = p * H * W + oh * sh * W;
      for (let ow = 0; ow < outW; ow++, o++) {
        const at = twoByTwo ? argmax2x2(X, top + ow * sw, W) : argmaxWindow(X, top + ow * sw, W, kh, kw);
        out[o] = X[at];
        arg[o] = at;
      }
    }
  }
}

/** The index of a kh x kw window's maximum (top-left corner r, rows W apart) by the rule above. */
function argmaxWindow(X: TypedArray, r: number, W: number, kh: number, kw: number): number {
  let at = r;
  let best = X[r];
  for (let i = 0, row = r; i < kh; i++, row += W) {
    for (let j = 0; j < kw; j++) {
      const v = X[row + j];
      if (v > best || v !== v) {
        best = v;
        at = row + j;
      }
    }
  }
  return at;
}

/** argmax2x2's running maximum and candidate, picked between by index (see unary.ts's relu). */
const pick = new Float64Array(2);

/**
 * argmaxWindow for 2x2, the usual pool, without a branch: each of the window's last three elements takes over when
 * `v > max || v !== v` (the same rule), the choice made as a number (the value picked from a two-slot array, the
 * index moved by a mask). Pooled data are as random as their signs, so the branch is mispredicted often: on
 * LeNet-5's first pool (64 x 6 x 28 x 28, after ReLU) 0.56 ms against 1.2 ms.
 */
function argmax2x2(X: TypedArray, r: number, W: number): number {
  pick[0] = X[r];
  return takeOver(X, r + W + 1, takeOver(X, r + W, takeOver(X, r + 1, r)));
}

/** argmax2x2's step: X[i] replaces the running maximum (pick[0], at index `at`) when it wins; returns the index. */
function takeOver(X: TypedArray, i: number, at: number): number {
  const v = X[i];
  const t = +(v > pick[0]) | +(v !== v);
  pick[1] = v;
  pick[0] = pick[t];
  return at + ((i - at) & -t);
}

/**
 * Average pooling and its adjoint. Forward: each output is its window's sum over the divisor; adjoint: each output's
 * gradient over the divisor is added to every element of its window. The divisor is kh * kw when padding counts
 * (`countIncludePad`), else the number of window elements inside the input.
 */
export function avgPool2d(src: NDArray, g: PoolGeometry, countIncludePad: boolean, adjoint: boolean, shape: readonly number[]): NDArray {
  if (src.device !== undefined) return deviceKernel(src.device, 'avgPool2d').avgPool2d(src, g, countIncludePad, adjoint, shape);
  const { planes, height: H, width: W, outH, outW } = g;
  const S = src.data;
  const out = allocate(src.dtype, adjoint ? planes * H * W : planes * outH * outW);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * g.strideH - g.padTop;
      const [iLo, iHi] = taps(h0, 1, g.kernelH, H);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * g.strideW - g.padLeft;
        const [jLo, jHi] = taps(w0, 1, g.kernelW, W);
        const divisor = countIncludePad ? g.kernelH * g.kernelW : (iHi - iLo) * (jHi - jLo);
        if (adjoint) {
          const share = S[o] / divisor;
          for (let i = iLo; i < iHi; i++) {
            const row = base + (h0 + i) * W + w0;
            for (let j = jLo; j < jHi; j++) out[row + j] += share;
          }
        } else {
          let sum = 0;
          for (let i = iLo; i < iHi; i++) {
            const row = base + (h0 + i) * W + w0;
            for (let j = jLo; j < jHi; j++) sum += S[row + j];
          }
          out[o] = sum / divisor;
        }
      }
    }
  }
  return new NDArray(out, shape);
}
