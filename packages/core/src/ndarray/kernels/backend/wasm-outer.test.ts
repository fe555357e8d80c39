// Outer products written in place into an output's own WebAssembly memory (wasm-outer.ts), checked against the closed
// form a_i b_j bit for bit, and for the ways that memory can be reused: vmap's reuseOutputs, the pool, other operands.
import { grad } from '../../../transforms/grad';
import { vmap } from '../../../transforms/vmap';
import type { Tensor } from '../../../tensor';
import { tensor } from '../../../creation';
import { Generator } from '../../random';
import { type DType, type TypedArray, allocateUnfilled, releaseArray } from '../../dtype';
import { NDArray } from '../../ndarray';
import { matmul } from '../matmul';
import { outerInPlace, wasmOuter, wasmOuterOutput } from './wasm-outer';
import { wasmOuterKernels } from './wasm-module';
import { setKernelBackend } from './kernel-backend';

const align16 = (bytes: number) => (bytes + 15) & ~15;

function random(shape: number[], dtype: DType, seed: number): NDArray {
  const g = new Generator(seed);
  const size = shape.reduce((n, d) => n * d, 1);
  const values = Float64Array.from({ length: size }, () => 2 * g.uniform() - 1);
  return new NDArray(dtype === 'float32' ? Float32Array.from(values) : values, shape);
}

// [batch, m, 1] x [batch, 1, n]: element (t, i, j) is a[t, i] b[t, j] rounded once to the dtype.
function wrongElements(c: NDArray, a: NDArray, b: NDArray, dtype: DType): number {
  const [batch, m, n] = c.shape;
  let wrong = 0;
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const exact = a.data[t * m + i] * b.data[t * n + j];
        if (!Object.is(c.data[(t * m + i) * n + j], dtype === 'float32' ? Math.fround(exact) : exact)) wrong++;
      }
  return wrong;
}

/** Whether `data` is a view on a WebAssembly memory of its own (an in-place output): the memory outlasts the view. */
const inOwnMemory = (data: TypedArray) => data.byteOffset > 0 && data.buffer.byteLength > data.byteLength;

describe('outer products written in place into an output memory of their own', () => {
  const threshold = outerInPlace.minBytes;
  beforeAll(() => {
    // Every outer product on the WebAssembly kernel, each batch of them with a memory of its own.
    setKernelBackend('wasm');
    outerInPlace.minBytes = 0;
    expect(wasmOuterKernels()).not.toBeNull();
  });
  afterAll(() => {
    outerInPlace.minBytes = threshold;
    setKernelBackend('auto');
  });

  it.each(['float32', 'float64'] as DType[])('%s: every element is a_i b_j exactly, the kernel writing into the output itself', (dtype) => {
    for (const [batch, m, n] of [
      [3, 5, 9],
      [2, 33, 35],
      [4, 300, 260],
    ]) {
      const a = random([batch, m, 1], dtype, m);
      const b = random([batch, 1, n], dtype, n);
      const c = matmul(a, b);
      expect(inOwnMemory(c.data)).toBe(true);
      expect([batch, m, n, wrongElements(c, a, b, dtype)]).toEqual([batch, m, n, 0]);
      // The last product's operands were copied after C: the in-place path ran, not the blocks copied out.
      const Kind = dtype === 'float32' ? Float32Array : Float64Array;
      const aAt = align16(c.data.byteOffset + c.data.byteLength);
      expect(Array.from(new Kind(c.data.buffer as ArrayBuffer, aAt, m))).toEqual(Array.from(a.data.subarray((batch - 1) * m)));
    }
  });

  it('each output has a memory of its own: a kept result is not overwritten by the next product', () => {
    const a = random([2, 40, 1], 'float32', 1);
    const b = random([2, 1, 30], 'float32', 2);
    const first = matmul(a, b);
    const kept = Float32Array.from(first.data);
    const second = matmul(random([2, 30, 1], 'float32', 3), random([2, 1, 40], 'float32', 4));
    expect(second.data.buffer).not.toBe(first.data.buffer);
    expect(Array.from(first.data)).toEqual(Array.from(kept));
  });

  it('pooled memory of the same length made for other operands: in place where a and b fit after C, copied out where not', () => {
    // An output sized so that C ends 64 bytes before its last page: room for a and b of two elements each, no more.
    const base = align16(wasmOuterKernels()!.heapBase());
    const size = (65536 * 3 - 64 - base) / 8;
    const out = wasmOuterOutput('float64', size, 2, 2)!;
    expect(out.byteOffset + out.byteLength).toBe(65536 * 3 - 64);
    expect(out.buffer.byteLength).toBe(65536 * 3);
    out.fill(NaN);
    // One product [1] x [size]: a and b need far more room than the memory has after C, so blocks are copied out.
    const a = Float64Array.of(-1.5);
    const b = Float64Array.from({ length: size }, (_, j) => j / 7);
    expect(wasmOuter(a, 0, b, 0, out, 0, 1, size)).toBe(true);
    expect(out.every((v, j) => Object.is(v, -1.5 * (j / 7)))).toBe(true);
    // Through the pool: released, then taken by a batch of products whose operands fit after C.
    const pooled = allocateUnfilled('float64', size);
    pooled.fill(NaN);
    expect(releaseArray(pooled)).toBe(true);
    const x = random([size / 4, 2, 1], 'float64', 3);
    const y = random([size / 4, 1, 2], 'float64', 4);
    const c = matmul(x, y);
    expect(c.data).toBe(pooled);
    expect(wrongElements(c, x, y, 'float64')).toBe(0);
  });

  it('falls back to a plain array when the host cannot make another memory', () => {
    const api = (globalThis as unknown as { WebAssembly: { Memory: unknown } }).WebAssembly;
    const Memory = api.Memory;
    api.Memory = function refuse() {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    };
    try {
      const a = random([3, 20, 1], 'float32', 5);
      const b = random([3, 1, 10], 'float32', 6);
      const c = matmul(a, b);
      expect(inOwnMemory(c.data)).toBe(false);
      expect(wrongElements(c, a, b, 'float32')).toBe(0);
    } finally {
      api.Memory = Memory;
    }
  });

  it("vmap(grad) with reuseOutputs: per-sample gradients equal a loop of grad calls bit for bit, call after call, in the first call's memory", () => {
    const loss = (w: Tensor, x: Tensor) => x.matmul(w).tanh().sum();
    // 8 x [100, 90] per-sample gradients: 72,000 elements, above the size from which reuseOutputs reuses memory.
    const w = tensor(random([100, 90], 'float32', 7).data, { shape: [100, 90] });
    const perSample = vmap(grad(loss), { inAxes: [null, 0], reuseOutputs: true });
    let memory: ArrayBufferLike | null = null;
    for (const seed of [8, 9, 10]) {
      const xs = tensor(random([8, 100], 'float32', seed).data, { shape: [8, 100] });
      const g = perSample(w, xs);
      const loop = Array.from({ length: 8 }, (_, s) => Array.from(grad(loss)(w, xs.slice([s, 0], [1, -1]).reshape([100])).data));
      expect(Array.from(g.data)).toEqual(loop.flat());
      expect(inOwnMemory(g.data)).toBe(true);
      if (memory !== null) expect(g.data.buffer).toBe(memory);
      memory = g.data.buffer;
    }
  });

  it('by default, from 32 MB, or under reuseOutputs from the size it reuses; a fresh vmap of smaller outputs keeps plain arrays', () => {
    outerInPlace.minBytes = threshold;
    try {
      const loss = (w: Tensor, x: Tensor) => x.matmul(w).sum();
      const w = tensor(random([100, 90], 'float64', 11).data, { shape: [100, 90] });
      const xs = tensor(random([8, 100], 'float64', 12).data, { shape: [8, 100] });
      const fresh = vmap(grad(loss), { inAxes: [null, 0] })(w, xs);
      const reusing = vmap(grad(loss), { inAxes: [null, 0], reuseOutputs: true })(w, xs);
      expect([inOwnMemory(fresh.data), inOwnMemory(reusing.data)]).toEqual([false, true]);
      expect(Array.from(reusing.data)).toEqual(Array.from(fresh.data));
      const big = matmul(random([2, 2048, 1], 'float32', 13), random([2, 1, 2048], 'float32', 14)); // exactly 32 MB
      expect(inOwnMemory(big.data)).toBe(true);
    } finally {
      outerInPlace.minBytes = 0;
    }
  });
});
