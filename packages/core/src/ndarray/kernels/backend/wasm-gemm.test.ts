import { type KernelBackend, setKernelBackend } from './kernel-backend';
import { wasmRelaxedGemmAvailable } from './wasm-gemm';
import { gemmSingleThread } from '../matmul';

type FloatKind = Float32ArrayConstructor | Float64ArrayConstructor;

let state = 424242;
function random(Kind: FloatKind, length: number): Float32Array | Float64Array {
  const out = new Kind(length);
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = (state / 2147483648 - 0.5) * 3;
  }
  return out;
}

/** One product's operands as stored (A [m, k] or [k, m], B [k, n] or [n, k]) at offsets ao and bo, and a C at co. */
function product(Kind: FloatKind, m: number, n: number, k: number, tA: boolean, tB: boolean, ao = 0, bo = 0, co = 0) {
  return { A: random(Kind, ao + m * k), B: random(Kind, bo + k * n), m, n, k, tA, tB, ao, bo, co };
}
type Product = ReturnType<typeof product>;

const SENTINEL = 7.25;

/** Runs the product into a C whose range is zero and whose surroundings hold a sentinel. */
function run({ A, B, m, n, k, tA, tB, ao, bo, co }: Product): Float32Array | Float64Array {
  const C = new (A.constructor as FloatKind)(co + m * n + 5).fill(SENTINEL);
  C.fill(0, co, co + m * n);
  gemmSingleThread(A, ao, B, bo, C, co, m, n, k, tA, tB);
  return C;
}

/**
 * The worst ratio, over C's elements, of the error against the float64 dot product over the forward error bound of a
 * dot product of length k summed in any order, gamma_k * sum |a_p b_p| with gamma_k = k u / (1 - k u) (u the unit
 * roundoff), doubled as the float64 reference rounds too: at most 1 when every element is within its bound. A
 * non-finite reference must be matched exactly (NaN by NaN). Also checks that nothing outside C's range was written.
 */
function worstRatio(p: Product, C: ArrayLike<number>, u: number): number {
  const { A, B, m, n, k, tA, tB, ao, bo, co } = p;
  const a = (i: number, q: number) => A[ao + (tA ? q * m + i : i * k + q)];
  const b = (q: number, j: number) => B[bo + (tB ? j * k + q : q * n + j)];
  const gamma = (2 * k * u) / (1 - k * u);
  let worst = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let exact = 0;
      let magnitude = 0;
      for (let q = 0; q < k; q++) {
        exact += a(i, q) * b(q, j);
        magnitude += Math.abs(a(i, q) * b(q, j));
      }
      const got = C[co + i * n + j];
      const ratio = Number.isFinite(exact) ? Math.abs(got - exact) / (gamma * magnitude) : Object.is(got, exact) ? 0 : Infinity;
      if (!(ratio <= worst)) worst = ratio;
    }
  for (let i = 0; i < C.length; i++) if ((i < co || i >= co + m * n) && C[i] !== SENTINEL) return Infinity;
  return worst;
}

const KINDS: [string, FloatKind, number][] = [
  ['float32', Float32Array, 2 ** -24],
  ['float64', Float64Array, 2 ** -53],
];
const FLAGS = [false, true].flatMap((tA) => [false, true].map((tB): [boolean, boolean] => [tA, tB]));
// Around the edges of the register tile (4 rows by 8 float32 or 4 float64 columns) and of the packed 4 x 4 transposes.
const ROWS = [1, 3, 4, 5, 67];
const COLS = [1, 7, 8, 9, 17];
const INNER = [1, 3, 4, 5, 259];
const BACKENDS: KernelBackend[] = wasmRelaxedGemmAvailable() ? ['wasm', 'wasm-relaxed'] : ['wasm'];

describe.each(BACKENDS)('the WebAssembly matrix product (wasm/gemm.ts) on the %s backend', (backend) => {
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend('auto'));

  describe.each(KINDS)('%s', (_, Kind, u) => {
    it.each(FLAGS)('is within the dot-product error bound on every edge tile, transposeA=%s transposeB=%s', (tA, tB) => {
      let worst = 0;
      for (const m of ROWS)
        for (const n of COLS)
          for (const k of INNER) {
            const p = product(Kind, m, n, k, tA, tB, 3, 1, 2);
            worst = Math.max(worst, worstRatio(p, run(p), u));
          }
      expect(worst).toBeLessThanOrEqual(1);
    });

    it.each(FLAGS)('crosses every block boundary (k > 256, m > 64, n > 256), transposeA=%s transposeB=%s', (tA, tB) => {
      const p = product(Kind, 67, 259, 263, tA, tB);
      expect(worstRatio(p, run(p), u)).toBeLessThanOrEqual(1);
    });

    it.each(FLAGS)(
      'propagates NaN and Infinity from edge rows and columns only where they belong, transposeA=%s transposeB=%s',
      (tA, tB) => {
        const p = product(Kind, 6, 11, 9, tA, tB);
        // op(A)[5, 2] = NaN (the last row, in an edge tile), op(B)[7, 10] = Infinity, op(B)[0, 3] = -Infinity.
        p.A[tA ? 2 * 6 + 5 : 5 * 9 + 2] = NaN;
        p.B[tB ? 10 * 9 + 7 : 7 * 11 + 10] = Infinity;
        p.B[tB ? 3 * 9 + 0 : 0 * 11 + 3] = -Infinity;
        const C = run(p);
        expect(worstRatio(p, C, u)).toBeLessThanOrEqual(1);
        // The reference's own verdicts, spelled out: row 5 is NaN throughout, columns 3 and 10 infinite elsewhere.
        expect(Array.from({ length: 11 }, (_, j) => Number.isNaN(C[5 * 11 + j]))).toEqual(Array(11).fill(true));
        for (let i = 0; i < 5; i++) {
          expect(Math.abs(C[i * 11 + 10])).toBe(Infinity);
          expect(Math.abs(C[i * 11 + 3])).toBe(Infinity);
          expect(Number.isFinite(C[i * 11 + 4])).toBe(true);
        }
      },
    );

    it('leaves no value of an earlier product behind (C is written on the first block of k, never zeroed in the module)', () => {
      const poison = product(Kind, 70, 40, 300, false, false);
      poison.A.fill(NaN);
      run(poison);
      for (const [tA, tB] of FLAGS) {
        const p = product(Kind, 13, 21, 5, tA, tB);
        expect(worstRatio(p, run(p), u)).toBeLessThanOrEqual(1);
      }
    });
  });

  it('leaves C at zero for an inner size of 0', () => {
    const C = new Float32Array(12);
    gemmSingleThread(new Float32Array(0), 0, new Float32Array(0), 0, C, 0, 3, 4, 0, false, false);
    expect(Array.from(C)).toEqual(Array(12).fill(0));
  });
});
