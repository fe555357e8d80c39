import { GRAIN, type Share, contiguousA, contiguousB, planShares, scatterBlock, stageA, stageB } from '../src/split';

/** Every element of C in exactly one share, and nothing outside C. */
function expectTiling(shares: Share[], m: number, n: number): void {
  const hits = new Int32Array(m * n);
  for (const s of shares) {
    expect(s.i0).toBeLessThan(s.i1);
    expect(s.j0).toBeLessThan(s.j1);
    for (let i = s.i0; i < s.i1; i++) for (let j = s.j0; j < s.j1; j++) hits[i * n + j]++;
  }
  expect(Array.from(hits).every((h) => h === 1)).toBe(true);
}

describe('planShares', () => {
  it('cuts rows into bands of whole grains, the last taking the ragged rest', () => {
    const shares = planShares(129, 70, 2);
    expect(shares).toEqual([
      { i0: 0, i1: 72, j0: 0, j1: 70 },
      { i0: 72, i1: 129, j0: 0, j1: 70 },
    ]);
    expect(shares[0].i1 % GRAIN).toBe(0);
  });

  it('cuts a thin C (fewer rows than a grain per part) into bands of columns', () => {
    expect(planShares(1, 301, 2)).toEqual([
      { i0: 0, i1: 1, j0: 0, j1: 152 },
      { i0: 0, i1: 1, j0: 152, j1: 301 },
    ]);
    expect(planShares(10, 40, 2).every((s) => s.i0 === 0 && s.i1 === 10)).toBe(true);
  });

  it('uses fewer parts than threads when the product is too small for one grain each, and one when it cannot be cut', () => {
    expect(planShares(20, 12, 3)).toHaveLength(2);
    expect(planShares(15, 15, 2)).toHaveLength(1);
    expect(planShares(1, 1, 4)).toEqual([{ i0: 0, i1: 1, j0: 0, j1: 1 }]);
  });

  it('tiles C exactly for many sizes and thread counts', () => {
    for (const parts of [1, 2, 3, 4, 7])
      for (const m of [1, 7, 8, 17, 63, 128, 784])
        for (const n of [1, 9, 16, 130]) {
          const shares = planShares(m, n, parts);
          expect(shares.length).toBeLessThanOrEqual(parts);
          expectTiling(shares, m, n);
        }
  });
});

describe('staging a share', () => {
  // A stored [k, m] = [3, 4] (transposeA): op(A) is its transpose; rows 1..3 of op(A) are columns 1..3 of A.
  const At = Float64Array.from({ length: 12 }, (_, i) => i);
  const share = { i0: 1, i1: 3, j0: 0, j1: 2 };

  it('copies a band of op(A) rows in A orientation: [k, rows] when A is stored transposed', () => {
    const out = new Float64Array(6);
    stageA(At, 0, 4, 3, true, share, out, 0);
    // A = [[0,1,2,3],[4,5,6,7],[8,9,10,11]]; columns 1..2 of each row.
    expect(Array.from(out)).toEqual([1, 2, 5, 6, 9, 10]);
    expect(contiguousA(0, 4, 3, true, share)).toBeNull();
    expect(contiguousA(5, 4, 3, false, share)).toBe(5 + 3);
  });

  it('copies a band of op(B) columns: [k, cols] from B stored [k, n], rows of B when stored [n, k]', () => {
    const B = Float64Array.from({ length: 12 }, (_, i) => i); // [k, n] = [3, 4]
    const out = new Float64Array(6);
    stageB(B, 0, 3, 4, false, { i0: 0, i1: 1, j0: 2, j1: 4 }, out, 0);
    expect(Array.from(out)).toEqual([2, 3, 6, 7, 10, 11]);
    expect(contiguousB(0, 3, 4, false, { i0: 0, i1: 1, j0: 2, j1: 4 })).toBeNull();
    const Bt = Float64Array.from({ length: 12 }, (_, i) => i); // [n, k] = [4, 3]
    stageB(Bt, 0, 3, 4, true, { i0: 0, i1: 1, j0: 1, j1: 3 }, out, 0);
    expect(Array.from(out)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(contiguousB(0, 3, 4, true, { i0: 0, i1: 1, j0: 1, j1: 3 })).toBe(3);
  });

  it('scatters a packed block back into C with its row stride', () => {
    const C = new Float64Array(12);
    scatterBlock(Float64Array.of(1, 2, 3, 4), 0, 2, 2, C, 5, 4);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0]);
  });
});
