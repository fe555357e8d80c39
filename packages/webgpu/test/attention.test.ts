// Fused attention on webgpu beyond the op harness's comparisons: a row that sees no key gives 0 and passes no gradient
// (the CPU kernel's rule, not NaN), and a forward and backward store no attention matrix where the composite makes
// many (the kernels' point). Values against the CPU are op-cases.ts's.
import { type Tensor, scaledDotProductAttention, tensor } from '@tapegrad/core';
import { webgpuMemory } from '@tapegrad/webgpu';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

const ramp = (n: number, shape: number[]): Tensor =>
  tensor(
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.7)),
    { shape, device: 'webgpu', requiresGrad: true },
  );

describe('fused attention on webgpu', () => {
  it('gives 0 for a query that sees no key, and sends it no gradient', async () => {
    if (!ready) return;
    const [q, k, v] = [ramp(6, [3, 2]), ramp(8, [4, 2]), ramp(12, [4, 3])];
    const mask = tensor(
      [
        [1, 0, 1, 1],
        [0, 0, 0, 0],
        [1, 1, 1, 1],
      ],
      { dtype: 'int32' },
    ); // row 1 sees nothing
    const out = scaledDotProductAttention(q, k, v, { mask });
    out.sum().backward();
    const o = Array.from(await out.dataAsync()); // [3, 3], row-major
    expect(o.slice(3, 6)).toEqual([0, 0, 0]);
    expect(o.every(Number.isFinite)).toBe(true);
    const dq = Array.from(await q.grad!.dataAsync()); // [3, 2]
    expect(dq.slice(2, 4)).toEqual([0, 0]);
    expect([...(await k.grad!.dataAsync()), ...(await v.grad!.dataAsync())].every(Number.isFinite)).toBe(true);
  });

  it('stores no attention matrix in a forward and backward (the composite makes more than three)', () => {
    if (!ready) return;
    // Shapes no other test uses, so the pool has no free buffer of these sizes; buffers come back only after a
    // collection (asynchronously), so every allocation of the synchronous calls below is a buffer made.
    const [B, L, S, D] = [2, 123, 131, 3];
    const matrix = B * L * S * 4;
    const q = ramp(B * L * D, [B, L, D]);
    const k = ramp(B * S * D, [B, S, D]);
    const v = ramp(B * S * D, [B, S, D]);
    const made = (run: () => void) => {
      const before = webgpuMemory().bytes;
      run();
      return webgpuMemory().bytes - before;
    };
    const fused = made(() => scaledDotProductAttention(q, k, v).sum().backward());
    expect(fused).toBeLessThan(2.5 * matrix); // the bound of the row kernels (heads wider than the tiled kernels take)
    expect(fused).toBeLessThan(0.5 * matrix); // the tiled kernels store no attention matrix at all
    const composite = made(() =>
      q
        .matmul(k, { transposeB: true })
        .mul(1 / Math.sqrt(D))
        .softmax(-1)
        .matmul(v)
        .sum()
        .backward(),
    );
    expect(composite).toBeGreaterThan(3 * matrix);
  });
});
