/**
 * Batched matrix product C = op(A) . op(B) where op is identity or transpose, as backward needs:
 * the transposed variants read their operand in place and never materialise a transpose.
 * Operands are at least 2-D; leading (batch) dimensions broadcast as in NumPy.
 */
import { ShapeError, formatShape } from '../../errors.js';
import { TypedArray, allocate, promote } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { broadcastShapes, sizeOf, stridesOf } from '../shape.js';

export interface MatmulFlags {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/** The result shape of op(A) . op(B), with the error a user sees for mismatched inner sizes. */
export function matmulShape(a: readonly number[], b: readonly number[], flags: MatmulFlags, op = 'matmul'): number[] {
  if (a.length < 2 || b.length < 2) throw new ShapeError(`${op}: operands must be at least 2-D here, got ${formatShape(a)} and ${formatShape(b)}`);
  const [m, ka] = flags.transposeA ? [a[a.length - 1], a[a.length - 2]] : [a[a.length - 2], a[a.length - 1]];
  const [kb, n] = flags.transposeB ? [b[b.length - 1], b[b.length - 2]] : [b[b.length - 2], b[b.length - 1]];
  if (ka !== kb) {
    throw new ShapeError(
      `${op}: inner sizes differ: ${formatShape(a)}${flags.transposeA ? '^T' : ''} x ${formatShape(b)}${flags.transposeB ? '^T' : ''} (${ka} vs ${kb})`,
    );
  }
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), op);
  return [...batch, m, n];
}

function gemm(A: TypedArray, ao: number, B: TypedArray, bo: number, C: TypedArray, co: number, m: number, n: number, k: number, tA: boolean, tB: boolean): void {
  if (!tA && !tB) {
    // C[i,:] += A[i,p] * B[p,:]: streams rows of B and C.
    for (let i = 0; i < m; i++) {
      const ci = co + i * n;
      for (let p = 0; p < k; p++) {
        const a = A[ao + i * k + p];
        const bp = bo + p * n;
        for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
      }
    }
  } else if (!tA && tB) {
    // B is [n, k]: every C[i,j] is a dot product of two contiguous rows.
    for (let i = 0; i < m; i++) {
      const ai = ao + i * k;
      for (let j = 0; j < n; j++) {
        const bj = bo + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += A[ai + p] * B[bj + p];
        C[co + i * n + j] = s;
      }
    }
  } else if (tA && !tB) {
    // A is [k, m]: accumulate outer products of row p of A and row p of B.
    for (let p = 0; p < k; p++) {
      const ap = ao + p * m;
      const bp = bo + p * n;
      for (let i = 0; i < m; i++) {
        const a = A[ap + i];
        const ci = co + i * n;
        for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
      }
    }
  } else {
    // A is [k, m], B is [n, k].
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[ao + p * m + i] * B[bo + j * k + p];
        C[co + i * n + j] = s;
      }
    }
  }
}

export function matmul(a: NDArray, b: NDArray, flags: MatmulFlags = {}): NDArray {
  const tA = !!flags.transposeA;
  const tB = !!flags.transposeB;
  const shape = matmulShape(a.shape, b.shape, flags);
  const r = shape.length;
  const m = shape[r - 2];
  const n = shape[r - 1];
  const k = tA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const out = allocate(promote(a.dtype, b.dtype), sizeOf(shape));
  const batch = shape.slice(0, -2);
  const batchSize = sizeOf(batch);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const aStrides = stridesOf(aBatch);
  const bStrides = stridesOf(bBatch);
  const outStrides = stridesOf(batch);
  const aMat = a.shape[a.rank - 2] * a.shape[a.rank - 1];
  const bMat = b.shape[b.rank - 2] * b.shape[b.rank - 1];
  for (let t = 0; t < batchSize; t++) {
    // Map the output batch index to each operand's (possibly broadcast) batch index.
    let ai = 0;
    let bi = 0;
    let rem = t;
    for (let d = 0; d < batch.length; d++) {
      const idx = Math.floor(rem / outStrides[d]);
      rem -= idx * outStrides[d];
      const da = d - (batch.length - aBatch.length);
      const db = d - (batch.length - bBatch.length);
      if (da >= 0 && aBatch[da] !== 1) ai += idx * aStrides[da];
      if (db >= 0 && bBatch[db] !== 1) bi += idx * bStrides[db];
    }
    gemm(a.data, ai * aMat, b.data, bi * bMat, out, t * m * n, m, n, k, tA, tB);
  }
  return new NDArray(out, shape);
}
