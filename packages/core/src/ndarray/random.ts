/**
 * A small seeded generator (xoshiro128**, seeded through splitmix32) so runs are reproducible bit for bit
 * on every JS engine: only 32-bit integer arithmetic, no Math.random. Normal samples use Box-Muller.
 */
import { brand, shared } from '../shared.js';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A Generator's position in its stream (see `getState`). */
export interface GeneratorState {
  /** The four 32-bit words of xoshiro128**. */
  readonly words: readonly [number, number, number, number];
  /** The second normal of the last Box-Muller pair, not yet drawn. */
  readonly spareNormal: number | null;
}

/**
 * A seeded random stream: the same seed gives the same draws on every JS engine.
 * @example
 * const g = new Generator(42);
 * const w = randn([3, 3], { generator: g });
 */
export class Generator {
  static {
    brand(this, 'Generator');
  }
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the stream; the same seed always gives the same sequence. */
  seed(seed: number): void {
    const st = { s: Math.floor(seed) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    this.spareNormal = null;
  }

  /**
   * The stream's position, to come back to with `setState` (PyTorch's `get_state`): `checkpoint` replays the draws of
   * a recomputed forward (dropout masks) this way.
   * @example
   * const s = g.getState(); const a = g.uniform(); g.setState(s); g.uniform() === a;   // true
   */
  getState(): GeneratorState {
    return { words: [this.a, this.b, this.c, this.d], spareNormal: this.spareNormal };
  }

  /** Goes back to a position `getState` returned: the same draws follow. */
  setState(state: GeneratorState): void {
    [this.a, this.b, this.c, this.d] = state.words;
    this.spareNormal = state.spareNormal;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by Box-Muller; the second sample of each pair is kept for the next call. */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The generator `rand`, `randn` and the initialisers use unless given one: one for every copy of the library in
 * the process (shared.ts), so `seed(n)` through either the ESM or the CommonJS entry fixes every draw.
 */
export const globalGenerator: Generator = shared('globalGenerator', () => new Generator(0));

/** Seeds the global generator: `seed(n)` makes every later random draw reproducible. */
export function seed(n: number): void {
  globalGenerator.seed(n);
}
