// The rounds a case is timed in (schedule.ts), the summary over slices (measure.ts), and the peer process protocol.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TimingBudget } from '../src/cases';
import { summarize } from '../src/measure';
import { PeerProcess } from '../src/peer-process';
import { ROUNDS, nextSlice, roundOrder } from '../src/schedule';

const budget: TimingBudget = { warmup: 5, minIterations: 20, minSeconds: 4, maxIterations: 500 };

describe('the rounds a case is timed in', () => {
  it('gives each round an even share of what is left of the budget', () => {
    expect(nextSlice(budget, { iterations: 0, seconds: 0 }, 0)).toEqual({ minIterations: 5, minSeconds: 1, maxIterations: 500 });
    // After a round that ran 6 iterations in 1.6 s: 14 and 2.4 s left over 3 rounds.
    const second = nextSlice(budget, { iterations: 6, seconds: 1.6 }, 1)!;
    expect(second.minIterations).toBe(5);
    expect(second.minSeconds).toBeCloseTo(0.8, 12);
    expect(second.maxIterations).toBe(494);
  });

  it('asks for the whole remainder once the planned rounds are over, and nothing once the budget is met', () => {
    expect(nextSlice(budget, { iterations: 19, seconds: 3 }, ROUNDS)).toEqual({ minIterations: 1, minSeconds: 1, maxIterations: 481 });
    expect(nextSlice(budget, { iterations: 20, seconds: 4 }, 2)).toBeNull();
    expect(nextSlice(budget, { iterations: 500, seconds: 0.5 }, 2)).toBeNull();
  });

  it("spreads a slow peer's few iterations one per round", () => {
    const slow: TimingBudget = { warmup: 1, minIterations: 3, minSeconds: 0, maxIterations: 6 };
    const slices = [0, 1, 2].map((round) => nextSlice(slow, { iterations: round, seconds: round * 3 }, round));
    expect(slices.map((s) => s?.minIterations)).toEqual([1, 1, 1]);
    expect(nextSlice(slow, { iterations: 3, seconds: 9 }, 3)).toBeNull();
  });

  it('rotates the order of the peers from round to round', () => {
    expect([0, 1, 2, 3].map((r) => roundOrder(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
    expect(roundOrder([], 3)).toEqual([]);
  });
});

describe('a timing summarised over slices', () => {
  it('takes the median, best and worst over every sample, and GC time over the timed time', () => {
    const t = summarize(2.5, [
      { samples: [0.003, 0.001], gcMs: 1 },
      { samples: [0.002, 0.01, 0.004], gcMs: 3 },
    ]);
    expect(t).toMatchObject({ firstValue: 2.5, iterations: 5, median: 0.003, min: 0.001, max: 0.01 });
    expect(t.gcFraction).toBeCloseTo(4 / 20, 12);
  });
});

describe('a peer process', () => {
  // The real protocol around a fake peer, compiled by tsx in the child (a fresh clone has no dist to run).
  const child = path.resolve(__dirname, 'fake-peer-child.ts');
  const loader = ['--import', pathToFileURL(require.resolve('tsx/esm', { paths: [__dirname] })).href];
  jest.setTimeout(60_000);

  it('prepares, times slices of a case and says which cases it does not support, then stops when closed', async () => {
    const { process: peer, ready } = await PeerProcess.start('fake', child, [], loader);
    try {
      expect(ready).toEqual({ label: 'a fake peer', note: 'set up', failed: false });
      expect(await peer.request({ op: 'prepare', caseId: 'W4' })).toEqual({ ok: true, supported: false });
      expect(await peer.request({ op: 'prepare', caseId: 'W3' })).toEqual({ ok: true, supported: true, slow: false, firstValue: 42 });
      const timed = await peer.request({ op: 'time', slice: { minIterations: 3, minSeconds: 0, maxIterations: 10 } });
      expect(timed.ok && timed.slice!.samples.length).toBe(3);
      expect(timed.ok && Math.min(...timed.slice!.samples)).toBeGreaterThanOrEqual(0.001);
      expect(await peer.request({ op: 'release' })).toEqual({ ok: true });
      // Asked to time with no case prepared, it answers with an error instead of dying.
      expect(await peer.request({ op: 'time', slice: { minIterations: 1, minSeconds: 0, maxIterations: 1 } })).toMatchObject({ ok: false });
    } finally {
      peer.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await peer.request({ op: 'release' })).toMatchObject({ ok: false, error: expect.stringMatching(/^process exited/) });
  });
});
