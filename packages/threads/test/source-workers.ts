/**
 * Starts helper threads from the TypeScript sources for the tests: Jest runs the package from `src`, where there is
 * no worker.js, and Node cannot run worker.ts itself. The helper registers tsx (a workspace dev-dependency) to compile
 * TypeScript, sends every `@tapegrad/<name>` import to `packages/<name>/src/index.ts` (as Jest's moduleNameMapper
 * does: tsx's tsconfig paths do not apply here, and Node would pick the package's `dist`, which a fresh clone has not
 * built), then loads the given module.
 * Test files install it with `jest.mock('../src/spawn', () => require('./source-workers').spawnModule('worker'))`.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HelperData } from '../src/spawn';
import { sourceWorkerCode as workerCode } from '../src/source-worker';

export { workerCode };

/** A `spawn` module whose helpers run `packages/threads/<file>.ts` (default: the real worker, src/worker). */
export function spawnModule(file = 'src/worker'): { spawnHelper(data: HelperData): Worker } {
  const repoRoot = join(__dirname, '..', '..', '..');
  const code = workerCode(repoRoot, require.resolve('tsx/cjs/api', { paths: [repoRoot] }), file);
  return {
    // `env` is passed on purpose: a worker's default env is the process's real one, not the Jest sandbox's
    // process.env that tests write (TAPEGRAD_TEST_HELPER), so without it a helper never saw the mode a test chose.
    spawnHelper: (data: HelperData) =>
      new Worker(code, { eval: true, env: { ...process.env }, workerData: data, transferList: [data.port] }),
  };
}
