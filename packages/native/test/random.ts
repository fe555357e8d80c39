/**
 * The native tests' data: glibc's linear congruential generator, seeded and re-seedable, so every run draws the same
 * values and no test leans on the bits of core's own Generator.
 */
export class TestRandom {
  constructor(private state: number) {}

  /** Starts the sequence again from `state`. */
  seed(state: number): void {
    this.state = state;
  }

  /** The next state, in [0, 2^31). */
  next(): number {
    this.state = (this.state * 1103515245 + 12345) % 2147483648;
    return this.state;
  }

  /** The next value in [-scale, scale). */
  uniform(scale = 1): number {
    return (this.next() / 2147483648 - 0.5) * 2 * scale;
  }

  /** `size` values in [-scale, scale). */
  list(size: number, scale: number): number[] {
    return Array.from({ length: size }, () => this.uniform(scale));
  }
}
