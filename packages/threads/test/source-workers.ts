/**
 * Starts helper threads from the TypeScript sources for the tests: Jest runs the package from `src`, where there is
 * no worker.js, and Node cannot run worker.ts itself. The helper registers tsx (a workspace dev-dependency) with the
 * test tsconfig, whose paths resolve `@tapegrad/core` to the core's sources, then loads the given module.
 * Test files install it with `jest.mock('../src/spawn', () => require('./source-workers').spawnModule('worker'))`.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HelperData } from '../src/protocol';

const repoRoot = join(__dirname, '..', '..', '..');

/** A `spawn` module whose helpers run `packages/threads/<file>.ts` (default: the real worker, src/worker). */
export function spawnModule(file = 'src/worker'): { spawnHelper(data: HelperData): Worker } {
  const tsx = require.resolve('tsx/cjs/api', { paths: [repoRoot] });
  const code = [
    `require(${JSON.stringify(tsx)}).register({ tsconfig: ${JSON.stringify(join(repoRoot, 'tsconfig.spec.json'))} });`,
    `require(${JSON.stringify(join(repoRoot, 'packages', 'threads', `${file}.ts`))});`,
  ].join('\n');
  return {
    spawnHelper: (data: HelperData) => new Worker(code, { eval: true, workerData: data, transferList: [data.port] }),
  };
}
