// The buffer pool behind `allocate`, the sweep's recycling of its private sums, and tidy/dispose (tidy.ts):
// gradients bit for bit what they are without the pool, a released array never read again, the pool bounded.
// Needs `global.gc` for the memory case (the root `pnpm test` runs Jest under `node --expose-gc`).
import * as fc from 'fast-check';
import { DisposedError, type Tensor, checkpoint, keep, noGrad, setKernelBackend, tensor, tidy, vmap } from '@tapegrad/core';
import { POOL_MIN, allocate, allocateUnfilled, emptyPool, pool, releaseArray } from '../src/ndarray/dtype';

const N = 4096; // POOL_MIN elements: every array of these graphs goes through the pool
const SIDE = 64;

beforeEach(() => {
  emptyPool();
  pool.limit = 64 * 2 ** 20;
});

/** Fills every pooled array with NaN: a kernel that takes one unfilled and skips an element, or adds into it, shows. */
function poisonPool(): void {
  for (const byLength of Object.values(pool.free)) for (const arrays of byLength.values()) for (const a of arrays) a.fill(NaN);
}

/** `fn` inside tidy, with what the previous tidies left in the pool poisoned first. */
function poisonedTidy<T>(fn: () => T): T {
  poisonPool();
  return tidy(fn);
}

function seeded(seed: number, shape: number[], requiresGrad = false): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return tensor(data, { shape, requiresGrad });
}

type Step = { op: number; a: number; b: number };

/**
 * A random graph over two [64, 64] leaves and a [64] bias: shared subexpressions (any earlier value may be reused),
 * a value added to itself (one gradient handed to both inputs), broadcasting (summed back to the bias's shape),
 * a hook that scales, and a product; the loss weights every value so each gets a gradient.
 */
function run(steps: Step[], hook: boolean): Float64Array[] {
  const x = seeded(1, [SIDE, SIDE], true);
  const w = seeded(2, [SIDE, SIDE], true);
  const bias = seeded(3, [SIDE], true);
  const values: Tensor[] = [x, w];
  for (const { op, a, b } of steps) {
    const p = values[a % values.length];
    const q = values[b % values.length];
    let v: Tensor;
    if (op === 0) v = p.add(q);
    else if (op === 1) v = p.mul(q);
    else if (op === 2) v = p.add(p);
    else if (op === 3) v = p.add(bias);
    else if (op === 4) v = p.tanh();
    else if (op === 5) v = p.matmul(q).mul(0.01);
    else {
      v = p.mul(0.5);
      v.addInPlace(q, 0.25); // an in-place change of an intermediate, recorded
    }
    if (hook && op === 1) v.registerHook((g) => g.mul(0.5));
    values.push(v);
  }
  values
    .reduce((acc, v) => acc.add(v))
    .mul(seeded(4, [SIDE, SIDE]))
    .sum()
    .backward();
  // Every node keeps its gradient, intermediates too: none may have been handed out again.
  return [x, w, bias, ...values].map((t) => Float64Array.from(t.grad?.raw.data ?? []));
}

function sameBits(a: Float64Array[], b: Float64Array[]): boolean {
  return a.length === b.length && a.every((v, i) => v.length === b[i].length && v.every((x, j) => Object.is(x, b[i][j])));
}

const steps = fc.array(fc.record({ op: fc.integer({ min: 0, max: 6 }), a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: 8 });

describe('the buffer pool', () => {
  it('gives the gradients of random graphs bit for bit as without a pool, run again and again inside tidy', () => {
    fc.assert(
      fc.property(steps, fc.boolean(), (graph, hook) => {
        pool.limit = 0; // nothing pooled: every array fresh
        const expected = run(graph, hook);
        pool.limit = 64 * 2 ** 20;
        const first = poisonedTidy(() => run(graph, hook));
        const again = poisonedTidy(() => run(graph, hook));
        return sameBits(first, expected) && sameBits(again, expected);
      }),
      { numRuns: 40 },
    );
    expect(pool.bytes).toBeGreaterThan(0); // the graphs' arrays went back to the pool, for the next run to take
  });

  it('hands an array back only for the same dtype and length, zero-filled by allocate', () => {
    const a = allocate('float64', N) as Float64Array;
    a.fill(NaN);
    a[0] = Infinity;
    expect(releaseArray(a)).toBe(true);
    expect(allocate('float32', N)).not.toBe(a);
    expect(allocate('float64', N + 1)).not.toBe(a);
    const b = allocate('float64', N);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
  });

  it('takes back only arrays allocate made and nobody was handed, once', () => {
    expect(releaseArray(new Float64Array(N))).toBe(false);
    const a = allocateUnfilled('float64', N);
    expect(releaseArray(a)).toBe(true);
    expect(releaseArray(a)).toBe(false); // twice would hand it to two callers
    expect(releaseArray(allocate('float64', POOL_MIN - 1))).toBe(false);
    const t = seeded(5, [N]).mul(2);
    const read = t.data; // handed to user code: never pooled
    t.dispose();
    expect(allocate('float64', N)).not.toBe(read);
  });

  it("when full keeps the arrays of the length released and declines more of it: the next step takes the limit's worth again", () => {
    pool.limit = 4 * N * 8;
    const arrays = Array.from({ length: 10 }, () => allocate('float64', N));
    const taken = arrays.map((a) => releaseArray(a));
    expect(taken).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(pool.bytes).toBe(pool.limit);
    // The next step's four allocations of that length are the first four arrays (emptying would have left two).
    const again = Array.from({ length: 4 }, () => allocate('float64', N));
    expect(new Set(again)).toEqual(new Set(arrays.slice(0, 4)));
    expect(allocate('float64', N)).not.toBe(arrays[4]);
  });

  it('stays within its limit, arrays of other lengths dropped when a release would pass it', () => {
    pool.limit = 4 * N * 8;
    const old = allocate('float64', N);
    releaseArray(old);
    for (let i = 0; i < 10; i++) releaseArray(allocate('float64', N + 1 + (i % 3)));
    expect(pool.bytes).toBeLessThanOrEqual(pool.limit);
    expect(allocate('float64', N)).not.toBe(old);
  });
});

describe('matmul into memory that is not zero-filled', () => {
  afterEach(() => setKernelBackend('auto'));

  it.each(['js', 'wasm', 'auto'] as const)(
    'gives the bits of fresh memory on the %s backend, mixed and int32 dtypes included',
    (backend) => {
      setKernelBackend(backend);
      const a = seeded(15, [SIDE, SIDE]);
      const b = seeded(16, [SIDE, SIDE]);
      const products = () => [
        a.matmul(b),
        a.cast('float32').matmul(b.cast('float32')),
        a.cast('float32').matmul(b), // mixed: the WebAssembly kernel declines, the TypeScript one accumulates
        a.mul(100).cast('int32').matmul(b.mul(100).cast('int32')),
        a.matmul(b, { transposeA: true }),
      ];
      pool.limit = 0;
      const expected = products().map((t) => Float64Array.from(t.raw.data));
      pool.limit = 64 * 2 ** 20;
      for (let round = 0; round < 3; round++) {
        // Each round's arrays go back to the pool (NaN where a kernel takes them unfilled: pool.poison) for the next.
        const got = tidy(() => products().map((t) => Float64Array.from(t.raw.data)));
        expect(sameBits(got, expected)).toBe(true);
      }
    },
  );
});

describe('tidy and dispose', () => {
  it('disposes what fn made except what it returns and the leaves’ gradients', () => {
    const w = seeded(6, [SIDE, SIDE], true);
    let inner: Tensor | null = null;
    const out = tidy(() => {
      inner = w.mul(2);
      const loss = inner.tanh().sum();
      loss.backward();
      return { loss, parts: [inner.add(1)] };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(out.loss.isDisposed).toBe(false);
    expect(out.parts[0].isDisposed).toBe(false);
    expect(w.grad!.isDisposed).toBe(false);
    expect(w.isDisposed).toBe(false);
    expect(() => inner!.toArray()).toThrow(DisposedError);
  });

  it("a .grad the leaf let go of inside the tidy (an SGD step, then zeroGrad) is disposed with it, its memory the next step's", () => {
    const w = seeded(11, [SIDE, SIDE], true);
    const x = seeded(12, [3, SIDE]);
    // Returned from the tidy, a let-go gradient survives it, as any returned tensor does.
    const returned = tidy(() => {
      x.matmul(w).tanh().sum().backward();
      const g = w.grad!;
      w.zeroGrad();
      return g;
    });
    expect(returned.isDisposed).toBe(false);
    let dropped: Tensor | null = null;
    let memory: unknown = null;
    tidy(() => {
      x.matmul(w).tanh().sum().backward();
      dropped = w.grad!;
      memory = dropped.raw.data;
      noGrad(() => w.addInPlace(dropped!, -0.1));
      w.zeroGrad();
    });
    expect(dropped!.isDisposed).toBe(true);
    expect(() => dropped!.toArray()).toThrow(DisposedError);
    // The next backward's dW (the only array of its size) is that memory again, with this step's values.
    tidy(() => x.matmul(w).tanh().sum().backward());
    expect(w.grad!.raw.data).toBe(memory);
    const want = tidy(() => {
      const wc = tensor(Float64Array.from(w.raw.data), { shape: [SIDE, SIDE], requiresGrad: true });
      x.matmul(wc).tanh().sum().backward();
      return Float64Array.from(wc.grad!.raw.data);
    });
    expect(sameBits([Float64Array.from(w.grad!.raw.data)], [want])).toBe(true);
  });

  it("a .grad stays while it is the leaf's: a later backward's sum replaces it (the first is disposed), keep() and nesting", () => {
    const w = seeded(13, [SIDE, SIDE], true);
    let first: Tensor | null = null;
    let explicit: Tensor | null = null;
    tidy(() => {
      w.mul(2).sum().backward();
      first = w.grad;
      w.mul(3).sum().backward();
    });
    expect(first!.isDisposed).toBe(true);
    expect(w.grad!.isDisposed).toBe(false);
    expect(Array.from(new Set(w.grad!.raw.data))).toEqual([5]);
    w.zeroGrad();
    tidy(() => {
      tidy(() => w.mul(2).sum().backward());
      // Let go of in the outer tidy, after the inner one ended: disposed with the outer one.
      first = w.grad;
      w.zeroGrad();
      w.mul(4).sum().backward();
      explicit = keep(w.grad!);
      w.zeroGrad();
    });
    expect(first!.isDisposed).toBe(true);
    expect(explicit!.isDisposed).toBe(false);
    expect(Array.from(new Set(explicit!.raw.data))).toEqual([4]);
  });

  it('names a disposed tensor by its label: its name, or the %id it had before (given at disposal or later, the same)', () => {
    const named = seeded(8, [SIDE, SIDE]).mul(2);
    named.name = 'hidden';
    named.dispose();
    expect(() => named.data).toThrow(/^hidden \[\d+, \d+\] was disposed/);
    const before = seeded(9, [SIDE, SIDE]).mul(2);
    const label = before.label;
    before.dispose();
    expect(() => before.data).toThrow(new RegExp(`^${label} \\[`));
    const after = seeded(10, [SIDE, SIDE]).mul(2);
    after.dispose();
    expect(after.label).toMatch(/^%\d+$/);
    expect(() => after.data).toThrow(new RegExp(`^${after.label} \\[`));
  });

  it('names the op a disposed tensor is used in, and the op whose backward needs one', () => {
    const w = seeded(7, [SIDE, SIDE], true);
    const t = tidy(() => w.mul(3));
    const h = w.tanh();
    const y = h.mul(w).sum();
    t.dispose();
    expect(() => t.add(1)).toThrow(/^add: .*was disposed/);
    h.dispose();
    expect(() => y.backward()).toThrow(DisposedError);
    expect(() => y.backward()).toThrow(/^mul: backward needs .* disposed/);
  });

  it('leaves nothing corrupted when a backward throws inside tidy: the next step gives the same gradients', () => {
    const w = seeded(17, [SIDE, SIDE], true);
    const step = (fail: boolean) =>
      tidy(() => {
        const h = w.tanh().mul(w);
        if (fail)
          h.registerHook(() => {
            throw new Error('hook failed');
          });
        h.add(h).sum().backward();
        const g = Float64Array.from(w.grad!.raw.data);
        w.zeroGrad();
        return g;
      });
    const expected = step(false);
    expect(() => step(true)).toThrow('hook failed');
    w.zeroGrad();
    expect(sameBits([step(false)], [expected])).toBe(true);
  });

  it('disposes everything made when fn throws', () => {
    const w = seeded(8, [SIDE, SIDE]);
    let made: Tensor | null = null;
    expect(() =>
      tidy(() => {
        made = w.mul(2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(made!.isDisposed).toBe(true);
    expect(w.isDisposed).toBe(false);
  });

  it('nests: what an inner tidy returns belongs to the outer one; keep outlives both', () => {
    const w = seeded(9, [SIDE, SIDE]);
    let fromInner: Tensor | null = null;
    let kept: Tensor | null = null;
    const result = tidy(() => {
      fromInner = tidy(() => w.add(1).mul(2));
      expect(fromInner.isDisposed).toBe(false);
      kept = keep(fromInner.mul(3));
      return fromInner.sum();
    });
    expect(fromInner!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(result.item()).toBeCloseTo(
      noGrad(() => w.add(1).mul(2).sum().item()),
      9,
    );
  });

  it('keeps an array shared by two tensors until both are disposed', () => {
    const w = seeded(10, [SIDE, SIDE]);
    const [y, alias] = tidy(() => {
      const y = w.mul(2);
      return [y, y.detach()];
    });
    const before = Float64Array.from(alias.raw.data);
    y.dispose();
    tidy(() => w.mul(5).add(w)); // would take y's memory, were it released
    expect(sameBits([Float64Array.from(alias.raw.data)], [before])).toBe(true);
    y.dispose(); // a second dispose does nothing
  });

  it('gives the same gradients through checkpoint, vmap and a second-order grad inside tidy', () => {
    const x = seeded(11, [SIDE, SIDE], true);
    const piece = (t: Tensor) => t.tanh().mul(t).add(1);
    const grads = () => {
      x.zeroGrad();
      checkpoint(piece)(x).sum().backward();
      const viaCheckpoint = Float64Array.from(x.grad!.data);
      const rows = vmap((r: Tensor) => r.mul(r).sum())(x);
      x.zeroGrad();
      const g = x.mul(x).mul(x).sum();
      g.backward({ createGraph: true });
      const second = x.grad!.sum();
      x.zeroGrad();
      second.backward();
      return [viaCheckpoint, Float64Array.from(rows.data), Float64Array.from(x.grad!.data)];
    };
    pool.limit = 0;
    const expected = grads();
    pool.limit = 64 * 2 ** 20;
    expect(sameBits(poisonedTidy(grads), expected)).toBe(true);
    expect(sameBits(poisonedTidy(grads), expected)).toBe(true);
  });
});

describe('memory', () => {
  it('stays flat over 5,000 training steps inside tidy, the pool within its limit', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc !== 'function') throw new Error('global.gc is missing: run Jest under node --expose-gc');
    const x = seeded(12, [SIDE, SIDE]);
    const w1 = seeded(13, [SIDE, SIDE], true);
    const w2 = seeded(14, [SIDE, 8], true);
    const step = () =>
      tidy(() => {
        const loss = x.matmul(w1).relu().matmul(w2).square().mean();
        loss.backward();
        noGrad(() => {
          for (const p of [w1, w2]) {
            p.addInPlace(p.grad!, -0.01);
            p.zeroGrad();
          }
        });
        return loss.item();
      });
    for (let i = 0; i < 200; i++) step();
    const settled = () => {
      for (let i = 0; i < 3; i++) gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = settled();
    for (let i = 0; i < 5000; i++) step();
    const growthMB = (settled() - before) / 2 ** 20;
    expect(growthMB).toBeLessThan(5);
    expect(pool.bytes).toBeLessThanOrEqual(pool.limit);
    // The steps' arrays come from the pool: a step's first product is in the memory a previous step released.
    const pooled = new Set<unknown>();
    for (const byLength of Object.values(pool.free)) for (const arrays of byLength.values()) for (const a of arrays) pooled.add(a);
    tidy(() => expect(pooled.has(x.matmul(w1).raw.data)).toBe(true));
  });
});
