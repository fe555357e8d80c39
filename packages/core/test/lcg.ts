/**
 * Test data that does not lean on core's own Generator: glibc's linear congruential generator from `seed`, whose
 * every call gives the next state in [0, 2^31), the same on every run.
 */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648);
}
