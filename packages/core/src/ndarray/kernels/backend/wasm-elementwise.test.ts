// The WebAssembly maps and sums against core's TypeScript loops as oracles: the same value for every element, signed
// zeros, infinities and subnormals included (a NaN only has to stay NaN: its sign and payload are unspecified).
import fc from 'fast-check';
import { Generator, getKernelBackend, setKernelBackend } from '@tapegrad/core';
import { add, addRelu, binary as binaryOp, div, mul, reluGrad, sub, tanhGrad, type BinaryKernel } from '../binary';
import { relu } from '../unary';
import { broadcastPlan } from '../broadcast-plan';
import { sumOfProducts, reduce } from '../reduce';
import { NDArray } from '../../ndarray';
import { wasmBinary, wasmColumnSums, wasmSum, wasmUnary } from './wasm-elementwise';
import { wasmElementwiseKernels } from './wasm-module';

type FloatArray = Float32Array | Float64Array;
const KERNELS: BinaryKernel[] = [add, sub, mul, div, tanhGrad, reluGrad, addRelu];
const KINDS = [Float32Array, Float64Array] as const;

/** An array of Kind holding `n` values of `f(i)`. */
const filled = (Kind: (typeof KINDS)[number], n: number, f: (i: number) => number): FloatArray => {
  const out = new Kind(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
};

/** Whether two numbers are the same value: Object.is, except that any NaN matches any NaN. */
const same = (a: number, b: number): boolean => Object.is(a, b) || (a !== a && b !== b);

function firstDifference(got: ArrayLike<number>, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) if (!same(got[i], want[i])) return `element ${i}: ${got[i]}, expected ${want[i]}`;
  return null;
}

/** Runs `f` with the backend chosen, then restores the previous one. */
function under<T>(backend: 'js' | 'wasm' | 'auto', f: () => T): T {
  const previous = getKernelBackend();
  setKernelBackend(backend);
  try {
    return f();
  } finally {
    setKernelBackend(previous);
  }
}

/** The wasm map's output and the TypeScript loop's for A (length n or 1) and B (length n or 1), or of the shapes given. */
function bothMaps(
  kernel: BinaryKernel,
  A: FloatArray,
  B: FloatArray,
  aShape = [A.length],
  bShape = [B.length],
): { wasm: FloatArray; ts: FloatArray; ran: boolean } {
  const plan = broadcastPlan(aShape, bShape, kernel.name);
  const Kind = A instanceof Float32Array ? Float32Array : Float64Array;
  const wasm = new Kind(plan.size).fill(12345);
  const ts = new Kind(plan.size);
  const ran = under('wasm', () => wasmBinary(kernel.name, A, B, wasm, plan));
  kernel.loop(A, B, ts, plan);
  return { wasm, ts, ran };
}

/**
 * The full sum (of products when B is given) by the TypeScript loop, unrounded: the sum of A is the sum of its
 * products with ones (each rounds to itself), the same additions in the same order as reduce's loop.
 */
function tsSum(A: FloatArray, B?: FloatArray): number {
  const dtype = A instanceof Float32Array ? 'float32' : 'float64';
  return under('js', () => sumOfProducts(A, B ?? new (A instanceof Float32Array ? Float32Array : Float64Array)(A.length).fill(1), dtype));
}

const available = wasmElementwiseKernels() !== null;
const maybe = available ? describe : describe.skip;

maybe('WebAssembly elementwise maps', () => {
  // fast-check's float and double arbitraries include NaN, +-Infinity, -0 and subnormals.
  const values = (Kind: (typeof KINDS)[number]) => (Kind === Float32Array ? fc.float() : fc.double());

  for (const Kind of KINDS) {
    for (const kernel of KERNELS) {
      it(`${kernel.name} on ${Kind.name}: the TypeScript loop's values, same-shape and with either operand broadcast`, () => {
        fc.assert(
          fc.property(
            fc.array(values(Kind), { maxLength: 70 }),
            fc.array(values(Kind), { maxLength: 70 }),
            fc.constantFrom('both', 'a scalar', 'b scalar'),
            (a, b, form) => {
              const n = Math.min(a.length, b.length);
              if (n === 0) return;
              const A = Kind.from(form === 'a scalar' ? a.slice(0, 1) : a.slice(0, n));
              const B = Kind.from(form === 'b scalar' ? b.slice(0, 1) : b.slice(0, n));
              const { wasm, ts, ran } = bothMaps(kernel, A, B);
              expect(ran).toBe(true);
              expect(firstDifference(wasm, ts)).toBeNull();
            },
          ),
          { seed: 18, numRuns: 200 },
        );
      });
    }

    it(`relu on ${Kind.name}: the TypeScript loop's values (as addRelu with 0, -0 becoming +0 as relu makes it)`, () => {
      fc.assert(
        fc.property(fc.array(values(Kind), { minLength: 1, maxLength: 70 }), (x) => {
          const X = Kind.from(x);
          const wasm = new Kind(X.length).fill(12345);
          const ts = new Kind(X.length);
          expect(under('wasm', () => wasmUnary('relu', X, wasm))).toBe(true);
          relu.loop(X, ts);
          expect(firstDifference(wasm, ts)).toBeNull();
        }),
        { seed: 21, numRuns: 200 },
      );
      expect(under('wasm', () => wasmUnary('exp', Kind.of(1, 2), new Kind(2)))).toBe(false);
    });

    it(`${Kind.name}: arrays longer than a block (several calls, a partial last block) give the loop's values`, () => {
      const g = new Generator(6);
      const special = [0, -0, Infinity, -Infinity, NaN, 1e-42, -3e-310, 1e38, -1];
      const n = 40_003;
      const A = filled(Kind, n, (i) => (i % 11 === 5 ? special[i % special.length] : 4 * g.uniform() - 2));
      const B = filled(Kind, n, () => 4 * g.uniform() - 2);
      for (const kernel of KERNELS) {
        for (const b of [B, B.subarray(7, 8)]) {
          const { wasm, ts, ran } = bothMaps(kernel, A, b);
          expect(ran).toBe(true);
          expect(firstDifference(wasm, ts)).toBeNull();
        }
      }
    });
  }

  it('declines mixed dtypes, int32, multi-run broadcasts and kernels it does not have', () => {
    const f32 = new Float32Array(300);
    const f64 = new Float64Array(300);
    under('wasm', () => {
      expect(wasmBinary('add', f32, f64, new Float64Array(300), broadcastPlan([300], [300], 'add'))).toBe(false);
      expect(wasmBinary('add', new Int32Array(300), new Int32Array(300), new Int32Array(300), broadcastPlan([300], [300], 'add'))).toBe(
        false,
      );
      // A column broadcast ([2, 3] with [2, 1]) is not a row broadcast.
      expect(wasmBinary('add', new Float32Array(6), new Float32Array(2), new Float32Array(6), broadcastPlan([2, 3], [2, 1], 'add'))).toBe(
        false,
      );
      // Nor is [2, 3] with [3, 1, 1] ... broadcast both ways: neither operand's runs follow each other.
      expect(wasmBinary('add', new Float32Array(3), new Float32Array(3), new Float32Array(9), broadcastPlan([3, 1], [1, 3], 'add'))).toBe(
        false,
      );
      // Rows longer than a block (64 KiB) stay in TypeScript.
      expect(
        wasmBinary(
          'add',
          new Float64Array(16_386),
          new Float64Array(8_193),
          new Float64Array(16_386),
          broadcastPlan([2, 8_193], [8_193], 'add'),
        ),
      ).toBe(false);
      expect(wasmBinary('pow', f32, f32, new Float32Array(300), broadcastPlan([300], [300], 'pow'))).toBe(false);
    });
  });

  it("stays in TypeScript under 'auto' below its size threshold and under 'js' at any size", () => {
    const plan = (n: number) => broadcastPlan([n], [n], 'add');
    expect(under('auto', () => wasmBinary('add', new Float32Array(8), new Float32Array(8), new Float32Array(8), plan(8)))).toBe(false);
    expect(under('auto', () => wasmBinary('add', new Float32Array(4096), new Float32Array(4096), new Float32Array(4096), plan(4096)))).toBe(
      true,
    );
    expect(under('js', () => wasmBinary('add', new Float32Array(4096), new Float32Array(4096), new Float32Array(4096), plan(4096)))).toBe(
      false,
    );
  });
});

maybe('WebAssembly sums', () => {
  for (const Kind of KINDS) {
    const element = Kind === Float32Array ? fc.float() : fc.double();
    // Values of mixed magnitudes, so the order of additions shows in the result's last bits.
    const mixed = fc.oneof(
      element,
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => (Kind === Float32Array ? Math.fround(v) : v)),
    );

    it(`sum of ${Kind.name}: the TypeScript loop's value (four running sums in its order), tails of 0-3 elements`, () => {
      fc.assert(
        fc.property(fc.array(mixed, { maxLength: 90 }), (a) => {
          const A = Kind.from(a);
          const got = under('wasm', () => wasmSum(A));
          expect(got).toBeDefined();
          expect(same(got!, tsSum(A))).toBe(true);
        }),
        { seed: 19, numRuns: 300 },
      );
    });

    it(`sum of products of ${Kind.name}: each product rounded to the dtype, then the loop's order`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(mixed, mixed), { maxLength: 90 }), (pairs) => {
          const A = filled(Kind, pairs.length, (i) => pairs[i][0]);
          const B = filled(Kind, pairs.length, (i) => pairs[i][1]);
          const got = under('wasm', () => wasmSum(A, B));
          expect(got).toBeDefined();
          expect(same(got!, tsSum(A, B))).toBe(true);
        }),
        { seed: 20, numRuns: 300 },
      );
    });

    it(`${Kind.name} sums over several blocks keep each element in its running sum`, () => {
      const g = new Generator(9);
      // Magnitudes spread over twelve decades: a different grouping of the additions would change the last bits.
      for (const n of [16_384, 16_387, 50_001]) {
        const A = filled(Kind, n, () => (g.uniform() - 0.3) * 10 ** (12 * g.uniform() - 6));
        const B = filled(Kind, n, () => g.uniform() - 0.5);
        expect(under('wasm', () => wasmSum(A))).toBe(tsSum(A));
        expect(under('wasm', () => wasmSum(A, B))).toBe(tsSum(A, B));
      }
    });

    it(`sum of ${Kind.name} through reduce: the same stored value on either backend`, () => {
      const g = new Generator(10);
      const x = new NDArray(
        filled(Kind, 5_000, () => g.uniform() * 1e4),
        [50, 100],
      );
      const want = under('js', () => reduce(x, [0, 1], false, 'sum').data[0]);
      expect(under('wasm', () => reduce(x, [0, 1], false, 'sum').data[0])).toBe(want);
      expect(under('auto', () => reduce(x, [0, 1], false, 'sum').data[0])).toBe(want);
    });
  }

  it('declines mixed dtypes and int32', () => {
    under('wasm', () => {
      expect(wasmSum(new Int32Array(4096))).toBeUndefined();
      expect(wasmSum(new Float32Array(4096), new Float64Array(4096))).toBeUndefined();
    });
  });
});

/** reduceMiddle's sums over the middle of [outer, n, inner] by the TypeScript loop (through reduce under 'js') and by WebAssembly. */
function bothColumnSums(X: FloatArray, outer: number, n: number, inner: number) {
  const ts = under('js', () => reduce(new NDArray(X, [outer, n, inner]), [1], false, 'sum').data);
  const wasm = new (X instanceof Float32Array ? Float32Array : Float64Array)(outer * inner);
  const ran = under('wasm', () => wasmColumnSums(X, wasm, outer, n, inner));
  return { wasm, ts, ran };
}

maybe('WebAssembly row broadcasts and column sums', () => {
  const special = [0, -0, Infinity, -Infinity, NaN, 1e-42, -3e-310, 1e38, -1];
  for (const Kind of KINDS) {
    const element = Kind === Float32Array ? fc.float() : fc.double();
    // Mixed magnitudes: a column sum added in another order would show in the last bits.
    const mixed = fc.oneof(
      element,
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => (Kind === Float32Array ? Math.fround(v) : v)),
    );
    const matrix = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 23 }))
      .chain(([n, m]) => fc.tuple(fc.constant(n), fc.constant(m), fc.array(mixed, { minLength: n * m, maxLength: n * m })));

    for (const kernel of KERNELS) {
      it(`${kernel.name} on ${Kind.name}: [n, m] with [m] or [1, m], either order, the TypeScript loop's values`, () => {
        fc.assert(
          fc.property(
            matrix,
            fc.array(mixed, { minLength: 23, maxLength: 23 }),
            fc.boolean(),
            fc.boolean(),
            ([n, m, x], v, rowFirst, keep) => {
              const full = Kind.from(x);
              const row = Kind.from(v.slice(0, m));
              const rowShape = keep ? [1, m] : [m];
              const { wasm, ts, ran } = rowFirst
                ? bothMaps(kernel, row, full, rowShape, [n, m])
                : bothMaps(kernel, full, row, [n, m], rowShape);
              // One row ([1, m] with [m]) is a single run: the map of the first describe block.
              expect(ran).toBe(true);
              expect(firstDifference(wasm, ts)).toBeNull();
            },
          ),
          { seed: 22, numRuns: 150 },
        );
      });
    }

    it(`${Kind.name}: row broadcasts over several blocks, rows up to a block long, batched rows [b, n, m] with [m]`, () => {
      const g = new Generator(23);
      const block = (64 * 1024) / Kind.BYTES_PER_ELEMENT;
      for (const [shape, m] of [
        [[300, 257], 257],
        [[3, block], block],
        [[2, 7, 129], 129],
        [[1001, 3], 3],
      ] as const) {
        const size = shape.reduce((a, b) => a * b, 1);
        const full = filled(Kind, size, (i) => (i % 13 === 7 ? special[i % special.length] : 4 * g.uniform() - 2));
        const row = filled(Kind, m, (i) => (i % 5 === 1 ? special[i % special.length] : 4 * g.uniform() - 2));
        for (const kernel of KERNELS) {
          for (const rowFirst of [false, true]) {
            const { wasm, ts, ran } = rowFirst
              ? bothMaps(kernel, row, full, [m], [...shape])
              : bothMaps(kernel, full, row, [...shape], [m]);
            expect(ran).toBe(true);
            expect(firstDifference(wasm, ts)).toBeNull();
          }
        }
      }
    });

    it(`column sums of ${Kind.name}: reduceMiddle's additions in its order, edge shapes and specials`, () => {
      const shape = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 19 }));
      fc.assert(
        fc.property(
          shape.chain(([o, n, i]) =>
            fc.tuple(fc.constant([o, n, i] as const), fc.array(mixed, { minLength: o * n * i, maxLength: o * n * i })),
          ),
          ([[outer, n, inner], x]) => {
            const { wasm, ts, ran } = bothColumnSums(Kind.from(x), outer, n, inner);
            expect(ran).toBe(true);
            expect(firstDifference(wasm, ts)).toBeNull();
          },
        ),
        { seed: 24, numRuns: 200 },
      );
    });

    it(`column sums of ${Kind.name} over several blocks and rows wider than a block, magnitudes over twelve decades`, () => {
      const g = new Generator(25);
      const block = (64 * 1024) / Kind.BYTES_PER_ELEMENT;
      for (const [outer, n, inner] of [
        [1, 700, 257],
        [2, 3, block + 5],
        [3, 129, 1],
        [1, 1, 300],
      ]) {
        const X = filled(Kind, outer * n * inner, (i) =>
          i % 97 === 3 ? special[i % special.length] : (g.uniform() - 0.3) * 10 ** (12 * g.uniform() - 6),
        );
        const { wasm, ts, ran } = bothColumnSums(X, outer, n, inner);
        expect(ran).toBe(true);
        expect(firstDifference(wasm, ts)).toBeNull();
      }
    });

    it(`${Kind.name}: a bias add and its gradient's sum through binary and reduce give the 'js' backend's bits on 'auto'`, () => {
      const g = new Generator(26);
      const x = new NDArray(
        filled(Kind, 128 * 40, () => g.uniform() * 1e3 - 500),
        [128, 40],
      );
      const b = new NDArray(
        filled(Kind, 40, () => g.uniform()),
        [40],
      );
      for (const backend of ['auto', 'wasm'] as const) {
        expect(
          firstDifference(
            under(backend, () => binaryOp(add, x, b).data),
            under('js', () => binaryOp(add, x, b).data),
          ),
        ).toBeNull();
        expect(
          firstDifference(
            under(backend, () => binaryOp(sub, b, x).data),
            under('js', () => binaryOp(sub, b, x).data),
          ),
        ).toBeNull();
        expect(
          firstDifference(
            under(backend, () => reduce(x, [0], false, 'sum').data),
            under('js', () => reduce(x, [0], false, 'sum').data),
          ),
        ).toBeNull();
      }
    });
  }

  it("stays in TypeScript under 'auto' for rows shorter than 16 elements and under 'js' at any size", () => {
    const rows = (m: number) => broadcastPlan([512, m], [m], 'add');
    const f32 = (n: number) => new Float32Array(n);
    expect(under('auto', () => wasmBinary('add', f32(512 * 8), f32(8), f32(512 * 8), rows(8)))).toBe(false);
    expect(under('wasm', () => wasmBinary('add', f32(512 * 8), f32(8), f32(512 * 8), rows(8)))).toBe(true);
    expect(under('auto', () => wasmBinary('add', f32(512 * 16), f32(16), f32(512 * 16), rows(16)))).toBe(true);
    expect(under('js', () => wasmBinary('add', f32(512 * 16), f32(16), f32(512 * 16), rows(16)))).toBe(false);
    expect(under('auto', () => wasmColumnSums(f32(512 * 8), f32(8), 1, 512, 8))).toBe(false);
    expect(under('auto', () => wasmColumnSums(f32(512 * 16), f32(16), 1, 512, 16))).toBe(true);
    expect(under('js', () => wasmColumnSums(f32(512 * 16), f32(16), 1, 512, 16))).toBe(false);
    expect(under('wasm', () => wasmColumnSums(f32(64), new Float64Array(8), 1, 8, 8))).toBe(false);
  });
});
