/**
 * @tapegrad/threads in a real browser, through a Vite build as the playground's (test/pages: threads.html, threads-check/): on a
 * cross-origin isolated page two threads share every product, from the page's main thread (which polls) and from
 * a Web Worker (which may block), with results bit-for-bit those of the single-thread kernel, and the helper
 * really computes its share; on a page that is not isolated enableThreads resolves 1 and nothing changes.
 */
import type { Page } from 'playwright-core';
import type { CheckReport } from '../pages/threads-check/check';
import type { ThreadsCheck } from '../pages/threads-check/page';
import { type Browser, type StaticServer, TEST_PAGES_DIST, ensureChromium, launchChromium, recordPageErrors, serve } from './harness';

let isolated: StaticServer;
let plain: StaticServer;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureChromium();
  isolated = await serve(TEST_PAGES_DIST, { page: 'threads.html' });
  plain = await serve(TEST_PAGES_DIST, { isolated: false, page: 'threads.html' });
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

/** threads.html in a new tab, and the URLs of the workers it starts (nested ones included), as they start. */
async function open(server: StaticServer): Promise<{ page: Page; workers: string[] }> {
  const page = await browser.context.newPage();
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  recordPageErrors(page, pageErrors);
  await page.goto(`${server.url}threads.html`);
  await page.waitForFunction(() => 'threadsCheck' in window);
  return { page, workers };
}

const run = (page: Page, where: 'run' | 'runInWorker', threads: number): Promise<CheckReport> =>
  page.evaluate(([w, t]) => (window as unknown as { threadsCheck: ThreadsCheck }).threadsCheck[w](t), [where, threads] as const);

const HELPER = expect.stringMatching(/\/assets\/browser-worker-[\w-]+\.js$/);

/** Every product equals the single-thread kernel bit for bit and a triple loop within the dtype's rounding. */
function expectExact(report: CheckReport, shared: boolean): void {
  // float32 and float64, each of the four transpose flag pairs, twice.
  expect(report.products).toHaveLength(16);
  for (const p of report.products) {
    expect({ ...p, worstVsNaive: undefined }).toEqual({
      dtype: p.dtype,
      transposeA: p.transposeA,
      transposeB: p.transposeB,
      mismatches: 0,
      worstVsNaive: undefined,
      shared,
      helperTasks: p.helperTasks,
    });
    expect(p.worstVsNaive).toBeLessThanOrEqual(p.dtype === 'float32' ? 1e-5 : 1e-12);
  }
}

/** The helpers ran tasks of both dtypes themselves (a task the calling thread takes back does not count). */
function expectHelperWork(report: CheckReport): void {
  for (const dtype of ['float32', 'float64']) {
    expect(report.products.filter((p) => p.dtype === dtype).reduce((sum, p) => sum + p.helperTasks, 0)).toBeGreaterThan(0);
  }
  // With the calling thread's own share slowed down, the helper has to compute its share, and C is still exact.
  expect(report.forcedHelper).toEqual({ shared: true, helperTasks: report.enabled - 1, mismatches: 0 });
}

describe('on a cross-origin isolated page', () => {
  const CHECK_WORKER = expect.stringMatching(/\/assets\/check-worker-[\w-]+\.js$/);
  it.each([
    ["the page's main thread (which polls)", 'run', 2, false, [HELPER]],
    ['a Web Worker (which blocks in Atomics.wait)', 'runInWorker', 3, true, [CHECK_WORKER, HELPER, HELPER]],
  ] as const)('shares products between %s and its helper workers, exactly', async (_, where, threads, inWorker, started) => {
    const { page, workers } = await open(isolated);
    const report = await run(page, where, threads);
    expect(report).toMatchObject({ isolated: true, inWorker, enabled: threads, threadCount: threads, afterDisable: 1 });
    expectExact(report, true);
    expectHelperWork(report);
    // The helpers were Web Workers that Vite bundled from the package's browser entry.
    expect(workers).toEqual(started);
    await page.close();
  });
});

describe('on a page that is not cross-origin isolated', () => {
  it('resolves 1 and keeps every product on the calling thread, with the same results', async () => {
    const { page, workers } = await open(plain);
    const report = await run(page, 'run', 2);
    expect(report).toMatchObject({ isolated: false, inWorker: false, enabled: 1, threadCount: 1, forcedHelper: null, afterDisable: 1 });
    expectExact(report, false);
    expect(report.products.every((p) => p.helperTasks === 0)).toBe(true);
    expect(workers).toEqual([]);
    await page.close();
  });
});

describe('bad options', () => {
  it.each([
    ['isolated', () => isolated],
    ['not isolated', () => plain],
  ])('are refused with RangeErrors naming the option on a page that is %s', async (_, server) => {
    const { page } = await open(server());
    const tryEnable = (options: { threads?: number; minWork?: number }) =>
      page.evaluate((o) => (window as unknown as { threadsCheck: ThreadsCheck }).threadsCheck.tryEnable(o), options);
    expect(await tryEnable({ threads: 0 })).toMatch(/^RangeError: enableThreads: threads must be a whole number of at least 1.*got 0$/);
    expect(await tryEnable({ threads: 2.5 })).toMatch(/^RangeError: .*got 2.5$/);
    expect(await tryEnable({ threads: 2, minWork: -1 })).toBe(
      'RangeError: enableThreads: minWork must be a number of multiply-adds >= 0, got -1',
    );
    // Left out, the thread count is the number of cores (one thread where SharedArrayBuffer is not offered).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await tryEnable({})).toBe(server() === isolated ? String(cores) : '1');
    await page.close();
  });
});

it('raised no uncaught error or console error along the way', () => {
  expect(pageErrors).toEqual([]);
});
