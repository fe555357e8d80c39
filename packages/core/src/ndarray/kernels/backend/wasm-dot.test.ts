import { type GemmExecutor, setGemmExecutor } from './gemm-executor';
import { type KernelBackend, getKernelBackend, setKernelBackend } from './kernel-backend';
import { wasmDot } from './wasm-dot';
import { wasmDotKernels } from './wasm-module';
import { gemm, gemmTransposedB } from '../matmul';

let state = 987654;
function random(Kind: Float32ArrayConstructor, length: number): Float32Array {
  const out = new Kind(length);
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = (state / 2147483648 - 0.5) * 3;
  }
  return out;
}

/**
 * Checks C (m x n at co) against the textbook dot products of A's rows and B's rows, summed in float64, within the
 * forward error bound of a dot product of length k summed in any order: |error| <= gamma_k * sum |a_p b_p|,
 * gamma_k = k u / (1 - k u) (u the unit roundoff, 2^-24 in float32; doubled, as the float64 reference rounds too).
 */
function expectDots(
  A: ArrayLike<number>,
  B: ArrayLike<number>,
  C: ArrayLike<number>,
  co: number,
  m: number,
  n: number,
  k: number,
  u: number,
) {
  const gamma = (2 * k * u) / (1 - k * u);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let exact = 0;
      let magnitude = 0;
      for (let p = 0; p < k; p++) {
        exact += A[i * k + p] * B[j * k + p];
        magnitude += Math.abs(A[i * k + p] * B[j * k + p]);
      }
      expect(Math.abs(C[co + i * n + j] - exact)).toBeLessThanOrEqual(gamma * magnitude);
    }
}

describe('the long-inner-size product C = A B^T (wasm/dot.ts)', () => {
  it('loads on this Node version', () => {
    expect(wasmDotKernels()).not.toBeNull();
  });

  // Edge tiles (m odd, n not a multiple of 4), an inner size that is not a multiple of the lanes and crosses the
  // kernel's blocks of 1024, and sizes of one.
  const SHAPES: [number, number, number][] = [
    [1, 1, 1],
    [1, 1, 7],
    [3, 5, 9],
    [2, 4, 1024],
    [6, 25, 3001],
    [5, 3, 2051],
  ];
  it.each(SHAPES)('m = %i, n = %i, k = %i: within the dot-product error bound, only C[co .. co + m n] written', (m, n, k) => {
    const A = random(Float32Array, m * k);
    const B = random(Float32Array, n * k);
    // Operands at offsets inside larger arrays, and a C with sentinels around its range and garbage inside it.
    const Aw = new Float32Array(m * k + 3).fill(NaN);
    Aw.set(A, 3);
    const Bw = new Float32Array(n * k + 5).fill(NaN);
    Bw.set(B, 5);
    const C = new Float32Array(m * n + 4).fill(-7);
    expect(wasmDot(Aw, 3, Bw, 5, C, 2, m, n, k)).toBe(true);
    expectDots(A, B, C, 2, m, n, k, 2 ** -24);
    expect([C[0], C[1], C[m * n + 2], C[m * n + 3]]).toEqual([-7, -7, -7, -7]);
  });

  it('propagates NaN and Infinity: a NaN in a row of A makes that row of C NaN, Infinity times 0 is NaN', () => {
    const [m, n, k] = [3, 2, 40];
    const A = random(Float32Array, m * k);
    const B = random(Float32Array, n * k);
    A[1 * k + 17] = NaN;
    A[2 * k + 5] = Infinity;
    B[1 * k + 5] = 0;
    const C = new Float32Array(m * n);
    wasmDot(A, 0, B, 0, C, 0, m, n, k);
    expect([Number.isNaN(C[2]), Number.isNaN(C[3])]).toEqual([true, true]);
    expect(C[4]).toBe(B[5] > 0 ? Infinity : -Infinity);
    expect(Number.isNaN(C[5])).toBe(true);
    expect(Number.isFinite(C[0]) && Number.isFinite(C[1])).toBe(true);
  });

  it('declines float64, int32 and mixed dtypes (returns false, writes nothing): gemm takes them', () => {
    const C = new Float32Array(1).fill(5);
    const C64 = new Float64Array(1).fill(5);
    expect(wasmDot(new Float64Array(4), 0, new Float64Array(4), 0, C64, 0, 1, 1, 4)).toBe(false);
    expect(wasmDot(new Int32Array(4), 0, new Int32Array(4), 0, new Int32Array(1), 0, 1, 1, 4)).toBe(false);
    expect(wasmDot(new Float32Array(4), 0, new Float64Array(4), 0, C, 0, 1, 1, 4)).toBe(false);
    expect([C[0], C64[0]]).toEqual([5, 5]);
  });
});

describe('gemmTransposedB: which kernel takes the product', () => {
  const [m, n, k] = [6, 25, 700];
  const A = random(Float32Array, m * k);
  const B = random(Float32Array, n * k);
  const product = (): Float32Array => {
    const C = new Float32Array(m * n);
    gemmTransposedB(A, 0, B, 0, C, 0, m, n, k);
    return C;
  };
  let before: KernelBackend;
  beforeEach(() => {
    before = getKernelBackend();
  });
  afterEach(() => {
    setKernelBackend(before);
    setGemmExecutor(null);
  });

  it("under 'wasm' and 'auto', the dot-product kernel (its bits exactly); under 'js', gemm's (its bits exactly)", () => {
    const dots = new Float32Array(m * n);
    wasmDot(A, 0, B, 0, dots, 0, m, n, k);
    const packed = new Float32Array(m * n);
    setKernelBackend('js');
    gemm(A, 0, B, 0, packed, 0, m, n, k, false, true);
    expect(product()).toEqual(packed);
    setKernelBackend('wasm');
    expect(product()).toEqual(dots);
    setKernelBackend('auto');
    expect(product()).toEqual(dots);
    expectDots(A, B, dots, 0, m, n, k, 2 ** -24);
  });

  it('with a parallel executor installed, still the dot kernel on the calling thread: the same bits for any thread count', () => {
    setKernelBackend('wasm');
    const dots = product();
    const seen: number[] = [];
    const executor: GemmExecutor = {
      gemm(...call) {
        seen.push(call[6]);
        return false;
      },
    };
    setGemmExecutor(executor);
    expect(product()).toEqual(dots);
    expect(seen).toEqual([]);
  });
});
