/**
 * How one product C = op(A) . op(B) is cut between threads, and how a share's operands are laid out so that the
 * unchanged single-thread kernel (which takes contiguous row-major operands, no leading dimensions) can run on it.
 *
 * A share is a block of C: a band of rows (op(A) rows i0..i1 against all of op(B)) or, when C has too few rows to
 * cut, a band of columns (all of op(A) against op(B) columns j0..j1). Each thread's result is exact: the kernel
 * sums every element of C over k in the same order whatever rows or columns surround it, so no reduction across
 * threads is needed.
 */
import type { TypedArray } from '@tapegrad/core';

/** C[i0:i1, j0:j1]: one thread's part of the product. */
export interface Share {
  readonly i0: number;
  readonly i1: number;
  readonly j0: number;
  readonly j1: number;
}

/**
 * Shares are cut at multiples of GRAIN rows or columns: a multiple of the kernels' register tile (4 rows; 4 or 8
 * columns), so no thread gets more ragged edge tiles than the whole product has.
 */
export const GRAIN = 8;

/** Cuts [0, size) into `parts` bands of whole grains, as equal as they can be; the last band takes the rest. */
function bands(size: number, parts: number): [number, number][] {
  const grains = Math.ceil(size / GRAIN);
  const out: [number, number][] = [];
  let start = 0;
  for (let t = 1; t <= parts; t++) {
    const end = t === parts ? size : Math.min(size, Math.round((grains * t) / parts) * GRAIN);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * Cuts an m x n product into at most `parts` shares: bands of rows when m allows a grain per part, else bands of
 * columns (a thin C, e.g. a batch of one against a wide weight), else as many bands as the larger side allows.
 * One share means the product is too small to split.
 */
export function planShares(m: number, n: number, parts: number): Share[] {
  const byRows = m >= parts * GRAIN || (n < parts * GRAIN && m >= n);
  const size = byRows ? m : n;
  const usable = Math.max(1, Math.min(parts, Math.floor(size / GRAIN)));
  return bands(size, usable).map(([s, e]) => (byRows ? { i0: s, i1: e, j0: 0, j1: n } : { i0: 0, i1: m, j0: s, j1: e }));
}

/** Copies a rows x cols block read with row stride `ld` from src[from..] to dst[to..], packed (row stride cols). */
export function copyBlock(src: TypedArray, from: number, ld: number, rows: number, cols: number, dst: TypedArray, to: number): void {
  if (ld === cols) {
    dst.set(src.subarray(from, from + rows * cols), to);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(src.subarray(from + r * ld, from + r * ld + cols), to + r * cols);
}

/** Copies a packed rows x cols block from src[from..] into dst[to..], whose row stride is `ld`. */
export function scatterBlock(src: TypedArray, from: number, rows: number, cols: number, dst: TypedArray, to: number, ld: number): void {
  if (ld === cols) {
    dst.set(src.subarray(from, from + rows * cols), to);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(src.subarray(from + r * cols, from + (r + 1) * cols), to + r * ld);
}

/**
 * Where op(A)'s rows i0..i1 sit in A, when they are contiguous already: A stored [m, k] (rows are rows), or all of
 * A. Otherwise (A stored [k, m], a band of its columns) null: the band has to be staged with {@link stageA}.
 */
export function contiguousA(ao: number, m: number, k: number, tA: boolean, s: Share): number | null {
  if (!tA) return ao + s.i0 * k;
  return s.i0 === 0 && s.i1 === m ? ao : null;
}

/** The same for op(B)'s columns j0..j1: contiguous when B is stored [n, k] (columns of op(B) are rows of B) or whole. */
export function contiguousB(bo: number, k: number, n: number, tB: boolean, s: Share): number | null {
  if (tB) return bo + s.j0 * k;
  return s.j0 === 0 && s.j1 === n ? bo : null;
}

/**
 * Copies op(A)'s rows i0..i1 to dst[to..] in A's own orientation: [i1-i0, k] when A is stored [m, k], [k, i1-i0]
 * when it is stored [k, m], so the kernel runs on it with the same transpose flag and m = i1 - i0.
 */
export function stageA(A: TypedArray, ao: number, m: number, k: number, tA: boolean, s: Share, dst: TypedArray, to: number): void {
  const rows = s.i1 - s.i0;
  if (!tA) copyBlock(A, ao + s.i0 * k, k, rows, k, dst, to);
  else copyBlock(A, ao + s.i0, m, k, rows, dst, to);
}

/** Copies op(B)'s columns j0..j1 to dst[to..] in B's orientation: [k, j1-j0], or [j1-j0, k] when B is stored [n, k]. */
export function stageB(B: TypedArray, bo: number, k: number, n: number, tB: boolean, s: Share, dst: TypedArray, to: number): void {
  const cols = s.j1 - s.j0;
  if (tB) copyBlock(B, bo + s.j0 * k, k, cols, k, dst, to);
  else copyBlock(B, bo + s.j0, n, k, cols, dst, to);
}
