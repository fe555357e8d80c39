// A forward pass that is never differentiated leaves nothing behind: no global tape keeps its entries alive.
// Needs `global.gc`: the root `pnpm test` runs Jest under `node --expose-gc` (workers inherit the flag).
import { type Scalar, type Tensor, scalar, tensor } from '@tapegrad/core';

const gc = (globalThis as { gc?: () => void }).gc;

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

describe('forward passes that are never differentiated', () => {
  it('has global.gc (run Jest under node --expose-gc, as `pnpm test` does)', () => {
    if (typeof gc !== 'function') {
      throw new Error('global.gc is missing: run Jest as `node --expose-gc ./node_modules/jest/bin/jest.js` (the root `pnpm test` does)');
    }
  });

  it('do not grow the heap over 100,000 recorded forward passes', () => {
    if (typeof gc !== 'function') throw new Error('global.gc is missing; see the test above');
    const w = tensor(
      [
        [0.5, -0.25],
        [0.125, 1],
      ],
      { requiresGrad: true },
    );
    const b = tensor([0.1, -0.2], { requiresGrad: true });
    const x = tensor([[1, 2]]);
    let last: Tensor | null = null;
    const pass = () => {
      // Several recorded ops per pass, the output dropped (only the last one is held, as a caller might).
      last = x.matmul(w).add(b).tanh().mul(2).sum();
    };
    for (let i = 0; i < 10_000; i++) pass();
    const before = settledHeap();
    for (let i = 0; i < 100_000; i++) pass();
    const after = settledHeap();
    expect(last!.requiresGrad).toBe(true);
    expect(last!.creator).not.toBeNull();
    const growthMB = (after - before) / 2 ** 20;
    expect(growthMB).toBeLessThan(5);
  });

  it('do not grow the heap over 100,000 recorded Scalar passes (entries kept in the output nodes)', () => {
    if (typeof gc !== 'function') throw new Error('global.gc is missing; see the first test');
    const w = scalar(0.5);
    const b = scalar(-0.25);
    let last: Scalar | null = null;
    const pass = () => {
      last = w.mul(1.5).add(b).tanh().mul(w).sub(0.5);
    };
    for (let i = 0; i < 10_000; i++) pass();
    const before = settledHeap();
    for (let i = 0; i < 100_000; i++) pass();
    const after = settledHeap();
    expect(last!.isLeaf).toBe(false);
    const growthMB = (after - before) / 2 ** 20;
    expect(growthMB).toBeLessThan(5);
  });
});
