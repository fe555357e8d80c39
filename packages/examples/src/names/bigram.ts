/**
 * The baseline every model of names has to beat: the bigram model P(next | current) estimated by counting the
 * training names' character pairs (with '.' before and after each name), add-one smoothed as in makemore, so a pair
 * never seen in training still gets a probability. Its loss is the mean negative log-likelihood per predicted
 * character, the same quantity the transformer's cross-entropy reports.
 */
import type { Vocabulary } from './data.js';

/** Smoothed bigram probabilities: row a, column b is P(b | a). */
export class Bigram {
  private constructor(
    readonly vocabulary: Vocabulary,
    /** Row-major [V, V] probabilities. */
    readonly probabilities: Float64Array,
  ) {}

  /** Counts the pairs of `names` (plus `smoothing` in every cell) and normalises each row. */
  static fit(names: readonly string[], vocabulary: Vocabulary, smoothing = 1): Bigram {
    const V = vocabulary.size;
    const counts = new Float64Array(V * V).fill(smoothing);
    for (const [a, b] of pairs(names, vocabulary)) counts[a * V + b] += 1;
    for (let a = 0; a < V; a++) {
      let total = 0;
      for (let b = 0; b < V; b++) total += counts[a * V + b];
      for (let b = 0; b < V; b++) counts[a * V + b] /= total;
    }
    return new Bigram(vocabulary, counts);
  }

  /** Mean negative log-likelihood per predicted character of `names` (each name's characters and its final '.'). */
  loss(names: readonly string[]): number {
    const V = this.vocabulary.size;
    let sum = 0;
    let count = 0;
    for (const [a, b] of pairs(names, this.vocabulary)) {
      sum -= Math.log(this.probabilities[a * V + b]);
      count++;
    }
    return sum / count;
  }
}

/** The (current, next) token pairs of each name framed by '.' (token 0). */
function* pairs(names: readonly string[], vocabulary: Vocabulary): Generator<[number, number]> {
  for (const name of names) {
    const ids = [0, ...[...name].map((c) => vocabulary.id(c)), 0];
    for (let i = 0; i + 1 < ids.length; i++) yield [ids[i], ids[i + 1]];
  }
}
