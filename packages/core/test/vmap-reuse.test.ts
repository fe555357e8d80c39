// vmap's reuseOutputs: each call may run in the memory of the previous call's outputs, which become unreadable.
// Values are checked against closed forms in float64; reuse is checked by the identity of the storage.
import { type Tensor, TransformError, grad, tensor, vmap } from '@tapegrad/core';
import { uniform } from './op-harness';

// Per-sample gradient of |x W|^2 in W: 2 x (x W)^T, an outer product, for each row x of xs.
const squaredNorm = (w: Tensor, x: Tensor) => x.matmul(w).square().sum();
const closedForm = (w: Tensor, xs: Tensor): number[] => {
  const [b, m] = xs.shape;
  const n = w.shape[1];
  const out: number[] = [];
  for (let i = 0; i < b; i++) {
    const y = Array.from({ length: n }, (_, k) => {
      let s = 0;
      for (let a = 0; a < m; a++) s += xs.data[i * m + a] * w.data[a * n + k];
      return s;
    });
    for (let a = 0; a < m; a++) for (let k = 0; k < n; k++) out.push(2 * xs.data[i * m + a] * y[k]);
  }
  return out;
};

describe('vmap with reuseOutputs', () => {
  // 4 x [100, 200] float64 per-sample gradients: 80,000 elements, above the size from which memory is reused.
  const w = uniform([100, 200], -1, 1, { seed: 1 });
  const batches = [2, 3, 4].map((seed) => uniform([4, 100], -1, 1, { seed, requiresGrad: false }));
  const perSample = () => vmap(grad(squaredNorm), { inAxes: [null, 0], reuseOutputs: true });

  it('gives the same values call after call, each call in the memory of the previous one', () => {
    const f = perSample();
    let previous: Float64Array | Float32Array | Int32Array | null = null;
    for (const xs of batches) {
      const g = f(w, xs);
      expect(g.shape).toEqual([4, 100, 200]);
      expect(Array.from(g.data)).toBeAllClose(closedForm(w, xs), { rtol: 1e-12, atol: 1e-14 });
      if (previous !== null) expect(g.data === previous).toBe(true);
      previous = g.data;
    }
  });

  it("makes the previous call's outputs unreadable, with an error that says why and what to do", () => {
    const f = perSample();
    const first = f(w, batches[0]);
    const kept = first.clone();
    f(w, batches[1]);
    expect(() => first.data).toThrow(TransformError);
    expect(() => first.sum()).toThrow(/returned by a vmap with reuseOutputs, and its next call reused the memory; clone\(\) what you keep/);
    expect(Array.from(kept.data)).toBeAllClose(closedForm(w, batches[0]), { rtol: 1e-12, atol: 1e-14 });
  });

  it('guards small outputs too (every output is valid until the next call), though only large ones are reused', () => {
    const f = vmap((x: Tensor) => x.mul(2), { reuseOutputs: true });
    const first = f(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    const second = f(
      tensor([
        [5, 6],
        [7, 8],
      ]),
    );
    expect(() => first.toArray()).toThrow(TransformError);
    expect(second.toArray()).toEqual([
      [10, 12],
      [14, 16],
    ]);
  });

  it('keeps an output passed back in as an argument, so a vmapped step can be iterated', () => {
    const x = uniform([4, 20_000], -1, 1, { seed: 9, requiresGrad: false });
    const double = vmap((v: Tensor) => v.mul(2), { reuseOutputs: true });
    const y1 = double(x);
    const y2 = double(y1);
    expect(Array.from(y1.data)).toEqual(Array.from(x.data, (v) => 2 * v));
    const kept = y1.data;
    const y3 = double(y2);
    // y1 was passed to the second call, so the third (which does not take it) reuses it: two buffers in turn.
    expect(() => y1.data).toThrow(TransformError);
    expect(y3.data === kept).toBe(true);
    expect(Array.from(y2.data)).toEqual(Array.from(x.data, (v) => 4 * v));
    expect(Array.from(y3.data)).toEqual(Array.from(x.data, (v) => 8 * v));
  });

  it('never reuses memory it did not allocate: an output that is an argument passed through stays untouched', () => {
    const x = uniform([4, 20_000], -1, 1, { seed: 10, requiresGrad: false });
    const values = Array.from(x.data);
    const identity = vmap((v: Tensor) => v, { reuseOutputs: true });
    identity(x);
    const again = identity(x);
    identity(uniform([4, 20_000], -1, 1, { seed: 11, requiresGrad: false }));
    expect(Array.from(x.data)).toEqual(values);
    expect(Array.from(again.data)).toEqual(values);
  });

  it('refuses a stale output passed in as an argument two calls later, naming vmap', () => {
    const f = perSample();
    const first = f(w, batches[0]);
    f(w, batches[1]);
    expect(() => f(first, batches[2])).toThrow(/reuseOutputs/);
  });

  it('recovers after the function throws: the next call computes afresh', () => {
    let fail = false;
    const f = vmap(
      (x: Tensor) => {
        if (fail) throw new RangeError('the function failed');
        return x.mul(3);
      },
      { reuseOutputs: true },
    );
    const x = uniform([4, 20_000], -1, 1, { seed: 12, requiresGrad: false });
    f(x);
    fail = true;
    expect(() => f(x)).toThrow(RangeError);
    fail = false;
    expect(Array.from(f(x).data)).toEqual(Array.from(x.data, (v) => 3 * v));
  });

  it('nests: a reusing vmap inside another gives the same values call after call', () => {
    const inner = vmap((v: Tensor) => v.mul(2), { reuseOutputs: true });
    const outer = vmap((row: Tensor) => inner(row), { reuseOutputs: true });
    const xs = [13, 14, 15].map((seed) => uniform([3, 4, 20_000], -1, 1, { seed, requiresGrad: false }));
    const results = xs.map((x) => {
      const y = outer(x);
      expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => 2 * v));
      return y;
    });
    expect(() => results[0].data).toThrow(TransformError);
  });

  it('reuses nothing across different vmapped functions, and a function without the option keeps every result', () => {
    const f = perSample();
    const plain = vmap(grad(squaredNorm), { inAxes: [null, 0] });
    const a = plain(w, batches[0]);
    const b = f(w, batches[1]);
    plain(w, batches[2]);
    f(w, batches[2]);
    expect(Array.from(a.data)).toBeAllClose(closedForm(w, batches[0]), { rtol: 1e-12, atol: 1e-14 });
    expect(() => b.data).toThrow(TransformError);
  });
});
