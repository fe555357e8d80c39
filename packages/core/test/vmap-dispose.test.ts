// vmap's outputs given back by dispose() or tidy: the next call of the same vmapped function reuses their memory,
// whatever its size, and nothing a caller still holds is ever reused. Values against closed forms in float64; reuse
// by the identity of the storage (read without handing the array out, which would keep it from ever being reused).
import fc from 'fast-check';
import { DisposedError, type Tensor, grad, tidy, vmap } from '@tapegrad/core';
import { uniform } from './op-harness';

type Storage = Float64Array | Float32Array | Int32Array;
/** The array behind `t`, read the way the library does (a Tensor's `data` would hand it to user code). */
const storage = (t: Tensor): Storage => (t as unknown as { raw: { data: Storage } }).raw.data;

// Per-sample gradient of |x W|^2 in W: 2 x (x W)^T, an outer product, for each row x of xs.
const squaredNorm = (w: Tensor, x: Tensor) => x.matmul(w).square().sum();
const closedForm = (w: Tensor, xs: Tensor): number[] => {
  const [b, m] = xs.shape;
  const n = w.shape[1];
  const wv = storage(w);
  const xv = storage(xs);
  const out: number[] = [];
  for (let i = 0; i < b; i++) {
    const y = Array.from({ length: n }, (_, k) => {
      let s = 0;
      for (let a = 0; a < m; a++) s += xv[i * m + a] * wv[a * n + k];
      return s;
    });
    for (let a = 0; a < m; a++) for (let k = 0; k < n; k++) out.push(2 * xv[i * m + a] * y[k]);
  }
  return out;
};
const expectClosedForm = (g: Tensor, w: Tensor, xs: Tensor) =>
  expect(Array.from(storage(g))).toBeAllClose(closedForm(w, xs), { rtol: 1e-12, atol: 1e-14 });

describe("vmap reuses its outputs' memory once they are disposed", () => {
  // 2 x [64, 80] float64 per-sample gradients: 10,240 elements, pooled-size memory.
  const w = uniform([64, 80], -1, 1, { seed: 1 });
  const batches = [2, 3, 4, 5].map((seed) => uniform([2, 64], -1, 1, { seed, requiresGrad: false }));
  const perSample = () => vmap(grad(squaredNorm), { inAxes: [null, 0] });

  it('the next call takes the memory of the outputs disposed since, and computes the right values in it', () => {
    const f = perSample();
    const first = f(w, batches[0]);
    const memory = storage(first);
    first.dispose();
    const second = f(w, batches[1]);
    expect(storage(second)).toBe(memory);
    expectClosedForm(second, w, batches[1]);
    expect(() => first.sum()).toThrow(DisposedError);
  });

  it('tidy around each step: every step runs in the memory of the one before, and a stale output throws DisposedError', () => {
    const f = perSample();
    const memories: Storage[] = [];
    let escaped: Tensor | null = null;
    for (const xs of batches) {
      const norm = tidy(() => {
        const g = f(w, xs);
        expectClosedForm(g, w, xs);
        memories.push(storage(g));
        escaped = g;
        return g.square().sum();
      });
      expect(norm.item()).toBeGreaterThan(0);
    }
    expect(new Set(memories).size).toBe(1);
    expect(() => escaped!.sum()).toThrow(/was disposed \(by dispose\(\) or tidy\)/);
  });

  it('a kept output is never reused: the next call writes elsewhere and the kept values stay', () => {
    const f = perSample();
    const kept = f(w, batches[0]);
    const second = f(w, batches[1]);
    expect(storage(second)).not.toBe(storage(kept));
    expectClosedForm(kept, w, batches[0]);
    expectClosedForm(second, w, batches[1]);
  });

  it('an output whose .data was read, or whose array another tensor still holds, is not reused after dispose', () => {
    const f = perSample();
    const read = f(w, batches[0]);
    const array = read.data; // handed to user code: never reused
    const values = Array.from(array);
    read.dispose();
    const shared = f(w, batches[1]);
    const holder = shared.detach(); // shares the array
    shared.dispose();
    const third = f(w, batches[2]);
    expect([storage(third) === array, storage(third) === storage(holder)]).toEqual([false, false]);
    expect(Array.from(array)).toEqual(values);
    expectClosedForm(holder, w, batches[1]);
    // Once the last holder goes, the memory comes back.
    const sharedMemory = storage(holder);
    const thirdMemory = storage(third);
    holder.dispose();
    third.dispose();
    const fourth = f(w, batches[3]);
    expect([sharedMemory, thirdMemory]).toContain(storage(fourth));
    expectClosedForm(fourth, w, batches[3]);
  });

  it("goes back to the function that made it: another vmapped function's call does not take it", () => {
    const f = perSample();
    const g = perSample();
    const out = f(w, batches[0]);
    const memory = storage(out);
    out.dispose();
    const other = g(w, batches[1]);
    expect(storage(other)).not.toBe(memory);
    expect(storage(f(w, batches[2]))).toBe(memory);
  });

  it('a property (fast-check): whatever the order of calls, disposals and reads, every live output keeps its own values', () => {
    const xsOf = batches.slice(0, 3);
    const step = fc.oneof(
      fc.record({ kind: fc.constant('call' as const), batch: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('dispose' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('read' as const), which: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const f = perSample();
        const live: Array<{ g: Tensor; batch: number }> = [];
        for (const s of steps) {
          if (s.kind === 'call') live.push({ g: f(w, xsOf[s.batch]), batch: s.batch });
          else if (live.length > 0 && s.kind === 'dispose') live.splice(s.which % live.length, 1)[0].g.dispose();
          else if (live.length > 0) void live[s.which % live.length].g.data;
          // Every live output: its own memory, and the values of its own inputs.
          expect(new Set(live.map(({ g }) => storage(g))).size).toBe(live.length);
          for (const { g, batch } of live) expectClosedForm(g, w, xsOf[batch]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('with reuseOutputs too: an output disposed before the next call is reused once, never handed to two outputs', () => {
    const x = uniform([4, 20_000], -1, 1, { seed: 20, requiresGrad: false });
    const f = vmap((v: Tensor) => [v.mul(2), v.mul(3)], { reuseOutputs: true });
    const [a1, b1] = f(x);
    const memories = [storage(a1), storage(b1)];
    a1.dispose(); // given back before the call that would have reused it anyway
    const [a2, b2] = f(x);
    expect(new Set([storage(a2), storage(b2)]).size).toBe(2);
    expect(memories).toContain(storage(a2));
    expect(memories).toContain(storage(b2));
    expect(Array.from(storage(a2))).toEqual(Array.from(storage(x), (v) => 2 * v));
    expect(Array.from(storage(b2))).toEqual(Array.from(storage(x), (v) => 3 * v));
    expect(() => a1.sum()).toThrow(DisposedError);
    expect(() => b1.sum()).toThrow(/returned by a vmap with reuseOutputs/);
  });
});
