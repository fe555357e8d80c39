// multinomial: frequencies against the closed-form probabilities by a chi-square test (seeded, so the run is fixed;
// the bound is the 0.1% critical value), with replacement and without (the second draw's law worked out by hand);
// distinct samples without replacement; weight-0 categories never drawn; reproducible from a seed or a Generator;
// typed errors for every malformed distribution.
import { DTypeError, Generator, ShapeError, type Tensor, TapegradError, multinomial, seed, tensor } from '@tapegrad/core';

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
function chiSquare(samples: ArrayLike<number>, probabilities: readonly number[]): number {
  const counts = probabilities.map(() => 0);
  for (let i = 0; i < samples.length; i++) counts[samples[i]]++;
  return probabilities.reduce((s, p, c) => s + (counts[c] - samples.length * p) ** 2 / (samples.length * p), 0);
}

/** Column `j` of a [rows, k] int32 tensor. */
const column = (t: Tensor, j: number) => Array.from({ length: t.shape[0] }, (_, r) => t.data[r * t.shape[1] + j]);

describe('multinomial', () => {
  it('draws with replacement in proportion to unnormalised weights; weight 0 never comes up', () => {
    const draws = multinomial(tensor([1, 2, 3, 4, 0]), 50_000, { replacement: true, generator: new Generator(1) });
    expect(draws.shape).toEqual([50_000]);
    expect(draws.dtype).toBe('int32');
    expect(Array.from(draws.data)).not.toContain(4);
    // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
    expect(chiSquare(draws.data, [0.1, 0.2, 0.3, 0.4, 0].slice(0, 4))).toBeLessThan(16.27);
  });

  it('without replacement, draws the first sample by the weights and the second by p_j sum_i p_i / (1 - p_i)', () => {
    const p = [0.5, 0.3, 0.2];
    const rows = 30_000;
    const draws = multinomial(tensor(Array.from({ length: rows }, () => p)), 2, { generator: new Generator(2) });
    expect(draws.shape).toEqual([rows, 2]);
    const first = column(draws, 0);
    const second = column(draws, 1);
    expect(first.every((c, r) => c !== second[r])).toBe(true);
    const secondLaw = p.map((pj, j) => p.reduce((s, pi, i) => (i === j ? s : s + (pi * pj) / (1 - pi)), 0));
    expect(secondLaw.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // 2 degrees of freedom each: P(chi2 > 13.82) = 0.001.
    expect(chiSquare(first, p)).toBeLessThan(13.82);
    expect(chiSquare(second, secondLaw)).toBeLessThan(13.82);
  });

  it('gives a permutation of the positive categories when asked for all of them without replacement', () => {
    const draws = multinomial(
      tensor([
        [5, 1, 1, 3],
        [1, 1, 1, 1],
      ]),
      4,
      { generator: new Generator(3) },
    );
    expect(column(draws, 0).length).toBe(2);
    for (const row of draws.toArray() as number[][]) expect([...row].sort()).toEqual([0, 1, 2, 3]);
  });

  it('never draws a weight-0 category, in any row, with or without replacement', () => {
    const weights = tensor([
      [0, 2, 0, 1],
      [3, 0, 0, 0.5],
    ]);
    for (const replacement of [true, false]) {
      const draws = multinomial(weights, 2, { replacement, generator: new Generator(4) });
      expect(
        column(draws, 0)
          .concat(column(draws, 1))
          .every((c, i) => (i % 2 === 0 ? [1, 3] : [0, 3]).includes(c)),
      ).toBe(true);
    }
  });

  it('is reproducible: the same seed or the same Generator state gives the same draws', () => {
    const w = tensor([0.2, 0.1, 0.4, 0.3]);
    seed(7);
    const a = Array.from(multinomial(w, 20, { replacement: true }).data);
    seed(7);
    const b = Array.from(multinomial(w, 20, { replacement: true }).data);
    expect(a).toEqual(b);
    const c = Array.from(multinomial(w, 3, { generator: new Generator(9) }).data);
    expect(Array.from(multinomial(w, 3, { generator: new Generator(9) }).data)).toEqual(c);
  });

  it('refuses malformed distributions and sample counts with typed errors naming the op', () => {
    const w = tensor([0.5, 0.5, 0]);
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(TapegradError);
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(/multinomial: weights must be finite and >= 0; got -0.1 at category 1/);
    expect(() => multinomial(tensor([0.5, NaN]), 1)).toThrow(/got NaN at category 1/);
    expect(() => multinomial(tensor([[1, Infinity]]), 1)).toThrow(/got Infinity at row 0, category 1/);
    expect(() =>
      multinomial(
        tensor([
          [1, 1],
          [0, 0],
        ]),
        1,
      ),
    ).toThrow(/multinomial: row 1 of the weights sums to 0/);
    expect(() => multinomial(w, 3)).toThrow(/cannot draw 3 samples without replacement: the weights have 2 positive weights/);
    expect(() => multinomial(w, 4)).toThrow(ShapeError);
    expect(() => multinomial(w, 4)).toThrow(/cannot draw 4 samples without replacement from 3 categories/);
    expect(multinomial(w, 4, { replacement: true }).shape).toEqual([4]);
    expect(() => multinomial(w, 0)).toThrow(/multinomial: numSamples must be a positive integer; got 0/);
    expect(() => multinomial(w, 1.5)).toThrow(ShapeError);
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow(/weights must be \[categories\] or \[rows, categories\]; got shape \[1, 1, 1\]/);
    expect(() => multinomial(tensor([1, 2], { dtype: 'int32' }), 1)).toThrow(DTypeError);
    expect(() => multinomial(w, 1, { replacement: 1 as unknown as boolean })).toThrow(/replacement must be true or false/);
    expect(() => multinomial(w, 1, { generator: {} as Generator })).toThrow(/generator must be a Generator/);
  });
});
