/**
 * Batched matrix product C = op(A) . op(B) where op is identity or transpose, as backward needs.
 * Operands are at least 2-D; leading (batch) dimensions broadcast as in NumPy.
 *
 * The kernel is GotoBLAS-shaped: op(B) is packed a [KC x NC] block at a time into strips of NR columns, op(A)
 * an [MC x KC] block at a time into strips of MR rows, and a register-blocked MR x NR micro-kernel accumulates
 * one tile of C in locals over the packed strips. Packing reads the operand in whichever orientation the flags
 * say, so a transposed operand costs one strided pass per block and is never materialised as a whole.
 * Packed panels are float64 whatever the operand dtype: JS arithmetic is double anyway, and the conversion is
 * paid once per element per block instead of once per multiply-add.
 *
 * When the WebAssembly backend is available (see backend/kernel-backend.ts) float32 and float64 products of the
 * same dtype go to its SIMD twin of this kernel (built with fused multiply-adds where the host validates relaxed
 * SIMD); this TypeScript one stays the reference and the fallback.
 * A host with threads (e.g. `@tapegrad/threads` in Node) may install a parallel executor that shares each large
 * product between threads, each running this same single-thread selection on its share of C.
 */
import { deviceOf } from '../device.js';
import { type GemmKernel, getGemmExecutor } from './backend/gemm-executor.js';
import { getKernelBackend } from './backend/kernel-backend.js';
import { wasmGemm, wasmRelaxedGemmAvailable } from './backend/wasm-gemm.js';
import { type DotArgs, wasmDot } from './backend/wasm-dot.js';
import { wasmOuter, wasmOuterOutput } from './backend/wasm-outer.js';
import { ShapeError, formatShape } from '../../errors.js';
import { type TypedArray, allocate, allocateUnfilled, promote } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { broadcastShapes, sizeOf, stridesOf } from '../shape.js';

/** Options of `matmul`: multiply by the transpose of an operand's last two axes, without materialising it. */
export interface MatmulFlags {
  /** Use the first operand transposed. */
  readonly transposeA?: boolean;
  /** Use the second operand transposed. */
  readonly transposeB?: boolean;
}

/** The result shape of op(A) . op(B), with the error a user sees for mismatched inner sizes. */
export function matmulShape(a: readonly number[], b: readonly number[], flags: MatmulFlags, op = 'matmul'): number[] {
  if (a.length < 2 || b.length < 2)
    throw new ShapeError(`${op}: operands must be at least 2-D here, got ${formatShape(a)} and ${formatShape(b)}`);
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

/** Micro-tile: MR rows of A times NR columns of B, 16 accumulators. */
const MR = 4;
const NR = 4;
/** Block sizes: a packed A block (MC x KC doubles, 128 KiB) sits in L2, a packed B strip (KC x NR, 8 KiB) in L1. */
const KC = 256;
const MC = 64;
const NC = 256;
/** Below this many multiply-adds packing costs more than it saves; the direct loops are used. */
const PACKED_MIN_WORK = 32 * 32 * 32;
/** Below this many multiply-adds, copying operands into WebAssembly memory costs more than SIMD saves ('auto'). */
const WASM_MIN_WORK = 16 * 16 * 16;

/** Whether the single-thread kernel for a product of `work` multiply-adds is the WebAssembly one, backend permitting. */
const wasmSelected = (work: number): boolean => {
  const backend = getKernelBackend();
  return backend !== 'js' && (backend !== 'auto' || work >= WASM_MIN_WORK);
};

/**
 * The single-thread kernel for one product: the WebAssembly one when selected and applicable, else packed or direct
 * loops. The WebAssembly kernel overwrites C's range, so it need not be zero (see `matmul`): when the kernel declines
 * (an int32 or mixed-dtype product), the range is zeroed before the loops add into it.
 */
function chooseSingle(work: number): GemmKernel {
  const backend = getKernelBackend();
  const js = work >= PACKED_MIN_WORK ? gemmPacked : gemmDirect;
  if (!wasmSelected(work)) return js;
  // 'auto' prefers the relaxed-SIMD build (fused multiply-adds) where the host validates it.
  const relaxed = backend === 'wasm-relaxed' || (backend === 'auto' && wasmRelaxedGemmAvailable());
  // wasmGemm declines (returns false) for int32 and mixed dtypes, or when the host lacks WebAssembly SIMD.
  return (A, ao, B, bo, C, co, m, n, k, tA, tB) => {
    if (wasmGemm(relaxed, A, ao, B, bo, C, co, m, n, k, tA, tB)) return;
    C.fill(0, co, co + m * n);
    js(A, ao, B, bo, C, co, m, n, k, tA, tB);
  };
}

/**
 * The kernel for one product: offered first to the parallel executor when one is installed (see
 * backend/gemm-executor.ts; it declines what is too small to share), else the single-thread kernel.
 */
function chooseGemm(work: number): GemmKernel {
  const single = chooseSingle(work);
  const executor = getGemmExecutor();
  if (executor === null) return single;
  return (A, ao, B, bo, C, co, m, n, k, tA, tB) => {
    if (executor.gemm(A, ao, B, bo, C, co, m, n, k, tA, tB, single)) return;
    if (executor.overwrites) C.fill(0, co, co + m * n);
    single(A, ao, B, bo, C, co, m, n, k, tA, tB);
  };
}

/**
 * One matrix product through the same path as `matmul` (the selected backend's kernel, offered to the parallel
 * executor when one is installed): what fused ops (convolution, attention) call on their own buffers. Arguments as
 * for {@link GemmKernel}; C's range must be zero on entry.
 */
export const gemm: GemmKernel = (A, ao, B, bo, C, co, m, n, k, tA, tB) => {
  if (m === 0 || n === 0 || k === 0) return;
  chooseGemm(m * n * k)(A, ao, B, bo, C, co, m, n, k, tA, tB);
};

/**
 * C = A . B^T with A [m, k] and B [n, k] row-major from their offsets (C's range zero on entry): for the products whose
 * inner size is long beside few outputs, a convolution's weight gradient. Under a WebAssembly backend, float32, each
 * element is a dot product of two rows in the SIMD kernel of wasm/dot.ts on the calling thread (4.6x the packed
 * product on LeNet-5's first weight gradient, 6 x 25 over 50176, more than sharing the packed one between threads
 * gains; docs/decisions.md, session 6), whose sums run in another order than the packed product's, the same with any
 * executor installed, so the results do not depend on the thread count; otherwise `gemm`, as before.
 */
export const gemmTransposedB = (...[A, ao, B, bo, C, co, m, n, k]: DotArgs): void => {
  if (m === 0 || n === 0 || k === 0) return;
  const backend = getKernelBackend();
  const wasm = backend === 'wasm' || backend === 'wasm-relaxed' || (backend === 'auto' && m * n * k >= WASM_MIN_WORK);
  if (wasm && wasmDot(A, ao, B, bo, C, co, m, n, k)) return;
  gemm(A, ao, B, bo, C, co, m, n, k, false, true);
};

/**
 * The single-thread matrix product under the selected kernel backend, never offered to a parallel executor: what
 * each thread of an executor runs on its share of C. Arguments as for {@link GemmKernel}; C's range must be zero.
 * @example
 * const C = new Float32Array(m * n);
 * gemmSingleThread(A, 0, B, 0, C, 0, m, n, k, false, false);   // C = A . B, A [m, k], B [k, n]
 */
export const gemmSingleThread: GemmKernel = (A, ao, B, bo, C, co, m, n, k, tA, tB) => {
  chooseSingle(m * n * k)(A, ao, B, bo, C, co, m, n, k, tA, tB);
};

// Scratch panels shared by every call (JS is single-threaded): no allocation in a training loop's hot path.
let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * NC);

/**
 * Packs op(B)[p0:p0+kc, j0:j0+nc] into strips of NR columns, each strip kc rows of NR values; columns past
 * `n` are zero so the micro-kernel never needs an edge case inside its inner loop.
 */
function packB(B: TypedArray, bo: number, tB: boolean, k: number, n: number, p0: number, kc: number, j0: number, nc: number): void {
  const strips = Math.ceil(nc / NR);
  if (packedB.length < strips * NR * kc) packedB = new Float64Array(strips * NR * kc);
  const out = packedB;
  let w = 0;
  for (let s = 0; s < strips; s++) {
    const j = j0 + s * NR;
    const cols = Math.min(NR, j0 + nc - j);
    for (let p = p0; p < p0 + kc; p++) {
      // op(B)[p, j] is B[p, j] (B is [k, n]) or B[j, p] (B is [n, k]).
      if (!tB) {
        const row = bo + p * n + j;
        for (let c = 0; c < cols; c++) out[w + c] = B[row + c];
      } else {
        const col = bo + j * k + p;
        for (let c = 0; c < cols; c++) out[w + c] = B[col + c * k];
      }
      for (let c = cols; c < NR; c++) out[w + c] = 0;
      w += NR;
    }
  }
}

/** Packs op(A)[i0:i0+mc, p0:p0+kc] into strips of MR rows, each strip kc columns of MR values, zero-padded. */
function packA(A: TypedArray, ao: number, tA: boolean, m: number, k: number, i0: number, mc: number, p0: number, kc: number): void {
  const strips = Math.ceil(mc / MR);
  if (packedA.length < strips * MR * kc) packedA = new Float64Array(strips * MR * kc);
  const out = packedA;
  let w = 0;
  for (let s = 0; s < strips; s++) {
    const i = i0 + s * MR;
    const rows = Math.min(MR, i0 + mc - i);
    for (let p = p0; p < p0 + kc; p++) {
      // op(A)[i, p] is A[i, p] (A is [m, k]) or A[p, i] (A is [k, m]).
      if (!tA) {
        const col = ao + i * k + p;
        for (let r = 0; r < rows; r++) out[w + r] = A[col + r * k];
      } else {
        const row = ao + p * m + i;
        for (let r = 0; r < rows; r++) out[w + r] = A[row + r];
      }
      for (let r = rows; r < MR; r++) out[w + r] = 0;
      w += MR;
    }
  }
}

/**
 * C[ci.., cj..] += (packed A strip) . (packed B strip) over kc, for a tile of `rows` x `cols` (at most MR x NR).
 * All 16 partial sums live in locals; each step of p loads 4 + 4 values for 16 multiply-adds.
 */
function microKernel(
  kc: number,
  pa: Float64Array,
  a: number,
  pb: Float64Array,
  b: number,
  C: TypedArray,
  c: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[a],
      a1 = pa[a + 1],
      a2 = pa[a + 2],
      a3 = pa[a + 3];
    const b0 = pb[b],
      b1 = pb[b + 1],
      b2 = pb[b + 2],
      b3 = pb[b + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    a += MR;
    b += NR;
  }
  if (rows === MR && cols === NR) {
    C[c] += c00;
    C[c + 1] += c01;
    C[c + 2] += c02;
    C[c + 3] += c03;
    c += ldc;
    C[c] += c10;
    C[c + 1] += c11;
    C[c + 2] += c12;
    C[c + 3] += c13;
    c += ldc;
    C[c] += c20;
    C[c + 1] += c21;
    C[c + 2] += c22;
    C[c + 3] += c23;
    c += ldc;
    C[c] += c30;
    C[c + 1] += c31;
    C[c + 2] += c32;
    C[c + 3] += c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) C[c + r * ldc + j] += tile[r * NR + j];
}

/** C (m x n, zero on entry, at offset co) = op(A) . op(B) through packed panels. */
export const gemmPacked: GemmKernel = (A, ao, B, bo, C, co, m, n, k, tA, tB) => {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packB(B, bo, tB, k, n, p0, kc, j0, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packA(A, ao, tA, m, k, i0, mc, p0, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const b = (jr / NR) * NR * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(kc, packedA, (ir / MR) * MR * kc, packedB, b, C, co + (i0 + ir) * n + j0 + jr, n, rows, cols);
          }
        }
      }
    }
  }
};

/** C (m x n, zero on entry) = op(A) . op(B) by direct loops: cheapest for small products. */
export const gemmDirect: GemmKernel = (A, ao, B, bo, C, co, m, n, k, tA, tB) => {
  // Strides of op(A)[i, p] and op(B)[p, j] in the stored arrays.
  const aRow = tA ? 1 : k;
  const aCol = tA ? m : 1;
  const bRow = tB ? 1 : n;
  const bCol = tB ? k : 1;
  for (let i = 0; i < m; i++) {
    const ci = co + i * n;
    for (let p = 0; p < k; p++) {
      const a = A[ao + i * aRow + p * aCol];
      const bp = bo + p * bRow;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j * bCol];
    }
  }
};

/**
 * op(A) . op(B) on raw arrays, batch dimensions broadcast; the dtype is the promotion of both operands'.
 * @example
 * matmul(x, w)                          // [b, in] x [in, out]
 * matmul(x, dz, { transposeA: true })   // x^T . dz without building x^T
 */
export function matmul(a: NDArray, b: NDArray, flags: MatmulFlags = {}): NDArray {
  const device = deviceOf(a, b);
  if (device !== undefined) return device.matmul(a, b, flags);
  const tA = !!flags.transposeA;
  const tB = !!flags.transposeB;
  const shape = matmulShape(a.shape, b.shape, flags);
  const r = shape.length;
  const m = shape[r - 2];
  const n = shape[r - 1];
  const k = tA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  // The outer product (k = 1) writes every element of C, and so do an executor that overwrites C (OpenBLAS's
  // beta = 0) and, with no executor, the single-thread kernel when WebAssembly is selected (chooseSingle: the module
  // overwrites C, and where it declines the product C is zeroed first): no zero-filled memory needed (a pooled array
  // is not filled: 1.3 MB a W1 step). The other kernels add into zeros.
  const executor = getGemmExecutor();
  const dtype = promote(a.dtype, b.dtype);
  const overwrites = executor === null ? wasmSelected(m * n * k) : executor.overwrites === true;
  const unfilled = k === 1 || (k > 1 && overwrites);
  // Large batches of outer products go into memory the WebAssembly kernel writes in place (wasm-outer.ts).
  const make = k === 1 && outerInWasm(m, n) ? (size: number) => wasmOuterOutput(dtype, size, m, n) : undefined;
  const out = unfilled ? allocateUnfilled(dtype, sizeOf(shape), make) : allocate(dtype, sizeOf(shape));
  const gemm = chooseGemm(m * n * k);
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
    if (k === 1) outerProduct(gemm, a.data, ai * aMat, b.data, bi * bMat, out, t * m * n, m, n);
    else gemm(a.data, ai * aMat, b.data, bi * bMat, out, t * m * n, m, n, k, tA, tB);
  }
  return new NDArray(out, shape);
}

/** Whether an outer product of [m] by [n] is offered to the WebAssembly kernel: no executor installed, the backend allows it. */
function outerInWasm(m: number, n: number): boolean {
  const backend = getKernelBackend();
  return getGemmExecutor() === null && backend !== 'js' && (backend !== 'auto' || m * n >= WASM_MIN_WORK);
}

/**
 * C (m x n) = a b^T, the product with inner size 1 (a linear layer's weight gradient for one sample; per-sample
 * gradients compute one per sample), C's range overwritten. With k = 1, op(A) and op(B) are laid out alike whatever
 * the flags. Each element is one product rounded once, so every backend gives the same bits. A parallel executor,
 * when installed, is offered the whole product as a gemm; else the WebAssembly kernel (one multiply and one store an
 * element, where the general product packs both operands and adds into C), else a direct loop.
 */
function outerProduct(
  gemm: GemmKernel,
  A: TypedArray,
  ao: number,
  B: TypedArray,
  bo: number,
  C: TypedArray,
  co: number,
  m: number,
  n: number,
): void {
  const executor = getGemmExecutor();
  if (executor !== null) {
    // C is unfilled (see matmul); an executor that adds into C needs zeros.
    if (!executor.overwrites) C.fill(0, co, co + m * n);
    return gemm(A, ao, B, bo, C, co, m, n, 1, false, false);
  }
  if (outerInWasm(m, n) && wasmOuter(A, ao, B, bo, C, co, m, n)) return;
  for (let i = 0; i < m; i++) {
    const a = A[ao + i];
    const ci = co + i * n;
    for (let j = 0; j < n; j++) C[ci + j] = a * B[bo + j];
  }
}
