// The calling thread takes back a task its helper has not claimed, so a helper that is never scheduled neither
// stalls a product nor changes its result.
import { tensor } from '@tapegrad/core';
import { disableThreads, enableThreads, threadCount } from '@tapegrad/threads';
import { ThreadPool } from '../src/pool';
import { naiveProduct } from './naive-product';

jest.mock('../src/spawn', () => require('./source-workers').spawnModule('test/stalled-worker'));

afterAll(() => disableThreads());

it('computes the helper share on the calling thread when the helper never claims it', async () => {
  const shared = jest.spyOn(ThreadPool.prototype, 'gemm');
  expect(await enableThreads({ threads: 3, minWork: 0 })).toBe(3);
  expect(threadCount()).toBe(3);
  for (const [m, n] of [
    [70, 40],
    [3, 90],
  ]) {
    const a = tensor(
      Float64Array.from({ length: m * 30 }, (_, i) => Math.sin(i)),
      { shape: [m, 30] },
    );
    const b = tensor(
      Float64Array.from({ length: 30 * n }, (_, i) => Math.cos(i)),
      { shape: [30, n] },
    );
    const start = Date.now();
    const c = a.matmul(b);
    expect(Date.now() - start).toBeLessThan(1000);
    const expected = naiveProduct(a, b, m, n, 30);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(c.data[i] - expected[i])).toBeLessThan(1e-12);
  }
  expect(shared.mock.results.map((r) => r.value)).toEqual([true, true]);
  shared.mockRestore();
});
