// matmul with NumPy's rules (1-D operands promoted then squeezed; batch axes broadcast), and the transposed
// variants the backward rules use, against a naive triple loop and against plain matmul of explicit transposes.
import { ShapeError, type Tensor, getKernelBackend, tensor, zeros } from '@tapegrad/core';
import { matmulFlagged } from './matmul';
import { broadcastShape, expectGradients, expectTensor, ravel, sizeOf, uniform, unravel } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('matmul');

/** C = A B by definition, batch axes broadcast; 1-D operands handled as NumPy does. */
function naiveMatmul(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const as = a.rank === 1 ? [1, a.shape[0]] : a.shape.slice();
  const bs = b.rank === 1 ? [b.shape[0], 1] : b.shape.slice();
  const [m, k] = as.slice(-2);
  const n = bs[bs.length - 1];
  const batch = broadcastShape(as.slice(0, -2), bs.slice(0, -2));
  const data: number[] = [];
  for (let t = 0; t < sizeOf(batch); t++) {
    const idx = unravel(t, batch);
    const pick = (shape: number[]) => shape.slice(0, -2).map((d, i) => (d === 1 ? 0 : idx[i + batch.length - (shape.length - 2)]));
    const aOff = ravel(pick(as), as.slice(0, -2)) * m * k;
    const bOff = ravel(pick(bs), bs.slice(0, -2)) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[aOff + i * k + p] * b.data[bOff + p * n + j];
        data.push(s);
      }
  }
  const shape = [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  return { shape, data };
}

const CASES: Array<[number[], number[]]> = [
  [[3], [3]],
  [[3], [3, 4]],
  [[2, 3], [3]],
  [
    [2, 3],
    [3, 4],
  ],
  [
    [1, 1],
    [1, 1],
  ],
  [
    [2, 3, 4],
    [4, 2],
  ],
  [[4], [2, 4, 3]],
  [[2, 3, 4], [4]],
  [
    [2, 1, 3, 4],
    [5, 4, 2],
  ],
  [
    [3, 1, 2, 3],
    [1, 4, 3, 2],
  ],
];

describe('matmul', () => {
  it.each(CASES)('matches the definition for %j x %j', (sa, sb) => {
    const a = uniform(sa, -1, 1, { seed: 1 });
    const b = uniform(sb, -1, 1, { seed: 2 });
    expectTensor(a.matmul(b), naiveMatmul(a, b), 1e-12, 1e-14);
  });
  it.each(CASES)('passes gradcheck and gradgradcheck for %j x %j', (sa, sb) => {
    expectGradients((x, y) => x.matmul(y), [uniform(sa, -1, 1, { seed: 3 }), uniform(sb, -1, 1, { seed: 4 })], { secondOrder: true });
  });
  it('has the closed-form gradients dA = G B^T, dB = A^T G', () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const b = tensor(
      [
        [5, 6],
        [7, 8],
      ],
      { requiresGrad: true },
    );
    a.matmul(b).backward(
      tensor([
        [1, -1],
        [2, 0.5],
      ]),
    );
    expect(a.grad!.toArray()).toEqual([
      [-1, -1],
      [13, 18],
    ]);
    expect(b.grad!.toArray()).toEqual([
      [7, 0.5],
      [10, 0],
    ]);
  });
  it('refuses mismatched inner sizes, 0-d operands and unbroadcastable batches, naming the shapes', () => {
    expect(() => zeros([2, 3]).matmul(zeros([2, 3]))).toThrow(ShapeError);
    expect(() => zeros([3]).matmul(zeros([4]))).toThrow('matmul: inner sizes differ: [3] x [4] (3 vs 4)');
    expect(() => zeros([]).matmul(zeros([3]))).toThrow('matmul: operands must be at least 1-D, got [] and [3]');
    expect(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 2]))).toThrow(/matmul: shapes \[2\] and \[3\] cannot be broadcast together/);
  });
});

const swapLast = (t: Tensor) => t.transpose([...t.shape.keys()].map((i) => (i < t.rank - 2 ? i : 2 * t.rank - 3 - i)));

describe('matmulFlagged (the transposed variants backward uses)', () => {
  const FLAGS: Array<[boolean, boolean]> = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ];
  const SHAPES: Array<[number[], number[]]> = [
    [
      [3, 4],
      [4, 2],
    ],
    [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
  ];
  it.each(FLAGS)('transposeA %p transposeB %p equals plain matmul of explicit transposes, values and gradients', (tA, tB) => {
    for (const [sa, sb] of SHAPES) {
      const A = uniform(tA ? [...sa.slice(0, -2), sa[sa.length - 1], sa[sa.length - 2]] : sa, -1, 1, { seed: 5 });
      const B = uniform(tB ? [...sb.slice(0, -2), sb[sb.length - 1], sb[sb.length - 2]] : sb, -1, 1, { seed: 6 });
      const flagged = matmulFlagged(A, B, { transposeA: tA, transposeB: tB });
      const plain = (tA ? swapLast(A) : A).matmul(tB ? swapLast(B) : B);
      expect(flagged.shape).toEqual(plain.shape);
      expect(Array.from(flagged.data)).toBeAllClose(Array.from(plain.data), { rtol: 1e-12, atol: 1e-15 });
      const dy = uniform(plain.shape, -1, 1, { seed: 7, requiresGrad: false });
      flagged.backward(dy);
      const [gA, gB] = [A.grad!, B.grad!];
      A.zeroGrad();
      B.zeroGrad();
      plain.backward(dy);
      expect(Array.from(gA.data)).toBeAllClose(Array.from(A.grad!.data), { rtol: 1e-12, atol: 1e-15 });
      expect(Array.from(gB.data)).toBeAllClose(Array.from(B.grad!.data), { rtol: 1e-12, atol: 1e-15 });
      expectGradients((x, y) => matmulFlagged(x, y, { transposeA: tA, transposeB: tB }), [A, B], { secondOrder: true });
    }
  });
  it('names the transposed operands when inner sizes differ', () => {
    expect(() => matmulFlagged(zeros([3, 2]), zeros([2, 3]), { transposeB: true })).toThrow(
      'matmul: inner sizes differ: [3, 2] x [2, 3]^T (2 vs 3)',
    );
  });
});

describe('the kernel backend of this test run', () => {
  it('is the one the Jest project asked for (every op test runs once per backend)', () => {
    const wanted = (globalThis as { KERNEL_BACKEND?: string }).KERNEL_BACKEND ?? 'auto';
    expect(getKernelBackend()).toBe(wanted);
  });
});

describe('Tensor.matmul with transpose flags', () => {
  const a = uniform([3, 4], -1, 1, { seed: 21 });
  const b = uniform([5, 4], -1, 1, { seed: 22 });
  const c = uniform([3, 5], -1, 1, { seed: 23 });
  const d = uniform([2, 3], -1, 1, { seed: 24 });

  it('equals the product with the explicit transpose, for each flag', () => {
    expectTensor(a.matmul(b, { transposeB: true }), a.matmul(b.transpose()));
    expectTensor(a.matmul(c, { transposeA: true }), a.transpose().matmul(c));
    expectTensor(c.matmul(d, { transposeA: true, transposeB: true }), c.transpose().matmul(d.transpose()));
  });

  it('passes gradcheck through every flag combination', () => {
    expectGradients((x, y) => x.matmul(y, { transposeB: true }), [a, b], { secondOrder: true });
    expectGradients((x, y) => x.matmul(y, { transposeA: true }), [a, c]);
    expectGradients((x, y) => x.matmul(y, { transposeA: true, transposeB: true }), [c, d]);
  });

  it('names the transposed operand when the inner sizes differ, and refuses flags on 1-D operands', () => {
    expect(() => a.matmul(c, { transposeB: true })).toThrow(ShapeError);
    expect(() => a.matmul(c, { transposeB: true })).toThrow('matmul: inner sizes differ: [3, 4] x [3, 5]^T (4 vs 5)');
    expect(() => tensor([1, 2]).matmul(a, { transposeA: true })).toThrow(
      /^matmul: a transpose flag needs a 2-D or batched operand, got \[2\]\^T x \[3, 4\]/,
    );
  });
});

describe('matmul with inner size 1 (outer products, computed a block of rows at a time)', () => {
  // 100 x 300 float64 is 234 KB of C, several 32 KB blocks and a shorter last one; a batch of 3 against one row.
  const a = uniform([3, 100, 1], -1, 1, { seed: 31 });
  const b = uniform([1, 300], -1, 1, { seed: 32 });
  const outer = (x: Tensor, y: Tensor, m: number, n: number) =>
    Array.from({ length: 3 }, (_, t) => Array.from({ length: m * n }, (_, e) => x.data[t * m + Math.floor(e / n)] * y.data[e % n])).flat();

  it('is a_i b_j for every flag (with k = 1 each operand is laid out alike either way)', () => {
    const expected = { shape: [3, 100, 300], data: outer(a, b, 100, 300) };
    expectTensor(a.matmul(b), expected, 0, 0);
    expectTensor(a.reshape([3, 1, 100]).matmul(b, { transposeA: true }), expected, 0, 0);
    expectTensor(a.matmul(b.reshape([300, 1]), { transposeB: true }), expected, 0, 0);
    expectTensor(a.reshape([3, 1, 100]).matmul(b.reshape([300, 1]), { transposeA: true, transposeB: true }), expected, 0, 0);
  });

  it('in float32 too', () => {
    const [x, y] = [a.cast('float32'), b.cast('float32')];
    const product = x.matmul(y);
    expect(product.dtype).toBe('float32');
    expectTensor(product, { shape: [3, 100, 300], data: Array.from(Float32Array.from(outer(x, y, 100, 300))) }, 0, 0);
  });
});
