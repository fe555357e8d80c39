// Run from the TypeScript sources (as `pnpm tapegrad` runs through tsx, and as Jest runs here), spawnHelper finds no
// worker.js beside it and starts worker.ts compiled by tsx: helpers start without a build and compute their share,
// bit for bit the single-thread kernel's product. Nothing is mocked: this is the path the CNN job takes.
import { gemmSingleThread, tensor } from '@tapegrad/core';
import { disableThreads, enableThreads } from '@tapegrad/threads';
import { ThreadPool } from '../src/pool';

afterAll(() => disableThreads());

it('starts helpers from the sources, which share a product and give the single thread its bits', async () => {
  expect(await enableThreads({ threads: 2, minWork: 0 })).toBe(2);
  const shared = jest.spyOn(ThreadPool.prototype, 'gemm');
  const [m, k, n] = [64, 96, 80];
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(3 * i));
  const c = tensor(a, { shape: [m, k], dtype: 'float32' }).matmul(tensor(b, { shape: [k, n], dtype: 'float32' }));
  expect(shared).toHaveReturnedWith(true);
  shared.mockRestore();
  const single = new Float32Array(m * n);
  gemmSingleThread(a, 0, b, 0, single, 0, m, n, k, false, false);
  expect(Array.from(c.data)).toEqual(Array.from(single));
});
