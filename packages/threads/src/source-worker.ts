/**
 * A helper started from the TypeScript sources: Node cannot run worker.ts itself, so the helper registers tsx (the
 * workspace's dev-dependency, which a run from the sources already uses) to compile TypeScript, and sends every
 * `@tapegrad/<name>` import to `packages/<name>/src/index.ts` (tsx's tsconfig paths do not apply inside it, and
 * Node would pick the package's `dist`, which a fresh clone has not built). `pnpm tapegrad` (tsx) and the tests
 * (ts-jest) start their helpers this way; a built package starts worker.js.
 */
import { join } from 'node:path';

/**
 * The code of a helper (for `new Worker(code, { eval: true })`) that runs `packages/threads/<file>.ts` from the
 * sources. `tsxApi` is the path of tsx's `cjs/api` module.
 */
export function sourceWorkerCode(repoRoot: string, tsxApi: string, file: string): string {
  const packages = join(repoRoot, 'packages');
  return [
    `require(${JSON.stringify(tsxApi)}).register({ tsconfig: ${JSON.stringify(join(repoRoot, 'tsconfig.spec.json'))} });`,
    `const Module = require('node:module');`,
    `const resolve = Module._resolveFilename;`,
    `Module._resolveFilename = function (request, ...rest) {`,
    `  const own = /^@tapegrad\\/([^/]+)$/.exec(request);`,
    `  return resolve.call(this, own ? require('node:path').join(${JSON.stringify(packages)}, own[1], 'src', 'index.ts') : request, ...rest);`,
    `};`,
    `require(${JSON.stringify(join(repoRoot, 'packages', 'threads', `${file}.ts`))});`,
  ].join('\n');
}
