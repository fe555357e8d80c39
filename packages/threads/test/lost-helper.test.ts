// A helper that dies or hangs in the middle of its share: the product throws a WorkerLostError naming it within the
// configured time (never blocks forever), the helper is stopped and replaced, the replacement serves the next
// products, and after MAX_RESPAWNS losses the pool goes on without it. Helpers: misbehaving-worker.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Tensor, tensor } from '@tapegrad/core';
import { MAX_RESPAWNS, ThreadsError, WorkerLostError, disableThreads, enableThreads, threadCount } from '@tapegrad/threads';
import { ThreadPool } from '../src/pool';
import { naiveProduct } from './naive-product';

jest.mock('../src/spawn', () => require('./source-workers').spawnModule('test/misbehaving-worker'));

const root = join(__dirname, '..', '..', '..');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-lost-'))));
afterEach(() => disableThreads());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function operands(m: number, k: number, n: number): [Tensor, Tensor] {
  const a = tensor(
    Float64Array.from({ length: m * k }, (_, i) => Math.sin(i)),
    { shape: [m, k] },
  );
  const b = tensor(
    Float64Array.from({ length: k * n }, (_, i) => Math.cos(i)),
    { shape: [k, n] },
  );
  return [a, b];
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * The error products throw: a product whose task the calling thread took back before the helper woke succeeds
 * (correctly), so this tries up to 20 products until one fails.
 */
function attempt(a: Tensor, b: Tensor): unknown {
  for (let i = 0; i < 20; i++) {
    try {
      expect(Array.from(a.matmul(b).data)).toEqual(expected(a, b));
    } catch (error) {
      return error;
    }
  }
  return null;
}

const products = new Map<Tensor, number[]>();
const expected = (a: Tensor, b: Tensor) =>
  products.get(a) ??
  products
    .set(
      a,
      Array.from(naiveProduct(a, b, a.shape[0], b.shape[1], a.shape[1]), (x) => expect.closeTo(x, 10) as number),
    )
    .get(a)!;

it.each(['die', 'hang'])('a helper that %s mid-task makes the product throw a WorkerLostError naming it, and is replaced', async (mode) => {
  process.env.TAPEGRAD_TEST_HELPER = mode;
  expect(await enableThreads({ threads: 2, minWork: 0, helperTimeout: 200 })).toBe(2);
  const [a, b] = operands(256, 120, 160);
  const error = attempt(a, b);
  expect(error).toBeInstanceOf(WorkerLostError);
  expect(error).toBeInstanceOf(ThreadsError);
  expect((error as WorkerLostError).helper).toBe(1);
  expect((error as Error).message).toMatch(
    /^matmul of \[256, 120\] by \[120, 160\] \(float64\): helper thread 1 did not finish its share \(rows 128-255 of the result\) in time \(helperTimeout 200 ms\), so the product was abandoned; the helper was stopped and a new helper is starting in its place$/,
  );
  // The replacement (just as broken here) starts and is counted again.
  await until(() => threadCount() === 2);
});

it(`replaces a lost helper ${MAX_RESPAWNS} times, then goes on without it`, async () => {
  process.env.TAPEGRAD_TEST_HELPER = 'die';
  await enableThreads({ threads: 2, minWork: 0, helperTimeout: 100 });
  const [a, b] = operands(256, 120, 160);
  for (let lost = 1; lost <= MAX_RESPAWNS; lost++) {
    await until(() => threadCount() === 2);
    expect((attempt(a, b) as Error).message).toMatch(/a new helper is starting in its place$/);
  }
  await until(() => threadCount() === 2);
  expect((attempt(a, b) as Error).message).toMatch(
    new RegExp(`no new one starts \\(${MAX_RESPAWNS} have been already\\): products go on with 1 thread\\(s\\)$`),
  );
  expect(threadCount()).toBe(1);
  expect(Array.from(a.matmul(b).data)).toEqual(expected(a, b));
});

it('the replacement of a helper that died serves the next products, which equal the triple loop', async () => {
  process.env.TAPEGRAD_TEST_HELPER = 'once-die';
  process.env.TAPEGRAD_TEST_MARKER = join(dir, 'died-once');
  // Long enough for a working helper's first task on a busy machine (it may compile its kernels then).
  await enableThreads({ threads: 2, minWork: 0, helperTimeout: 3000 });
  const [a, b] = operands(256, 120, 160);
  expect(attempt(a, b)).toBeInstanceOf(WorkerLostError);
  await until(() => threadCount() === 2);
  const shared = jest.spyOn(ThreadPool.prototype, 'gemm');
  const c = a.matmul(b);
  expect(shared.mock.results.map((r) => r.value)).toEqual([true]);
  shared.mockRestore();
  expect(Array.from(c.data)).toEqual(expected(a, b));
});

it('refuses a helperTimeout that is not a positive number of milliseconds', () => {
  expect(() => enableThreads({ threads: 2, helperTimeout: 0 })).toThrow(RangeError);
  expect(() => enableThreads({ threads: 2, helperTimeout: NaN })).toThrow(/helperTimeout must be a number of milliseconds > 0/);
});

it('a process whose helper hung mid-product gets its error and then exits by itself', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(require.resolve('tsx/esm', { paths: [root] })).href,
      join(__dirname, 'fixtures', 'exit-after-lost-helper.ts'),
      root,
    ],
    { cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.spec.json') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // Without the timeout it would block in Atomics.wait forever: the test's own timeout would fail it.
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(out.trim()).toBe('WorkerLostError');
  expect(code).toBe(0);
});
