/**
 * Starting one Node helper thread from this build's worker.js, or from the TypeScript sources. Kept apart so tests can
 * start other helpers (see test/source-workers.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { type MessagePort, Worker } from 'node:worker_threads';
import { sourceWorkerCode } from './source-worker.js';

/** What a Node helper is started with (its workerData). */
export interface HelperData {
  readonly control: SharedArrayBuffer;
  /** The helper's end of the channel on which new data buffers arrive. */
  readonly port: MessagePort;
}

/**
 * The file this module was loaded from, for ESM and CommonJS builds alike: one source compiles to both, and
 * neither `import.meta.url` (a syntax error in CommonJS) nor `__filename` (absent in ESM) serves both, while V8's
 * call sites name the file in either (a file: URL for ESM, a path for CommonJS).
 */
function thisFile(): string {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const name = frames[0]?.getFileName();
    if (!name) throw new Error('@tapegrad/threads: cannot tell where its own files are (no file name in the stack)');
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = original;
  }
}

/**
 * Starts a helper running worker.js beside this file, with its control block and port; or, run from the TypeScript
 * sources (only worker.ts beside this file, as under `pnpm tapegrad`'s tsx), worker.ts compiled by tsx
 * (source-worker.ts).
 */
export function spawnHelper(data: HelperData): Worker {
  const dir = dirname(thisFile());
  const options = { workerData: data, transferList: [data.port] };
  if (existsSync(join(dir, 'worker.js')) || !existsSync(join(dir, 'worker.ts'))) return new Worker(join(dir, 'worker.js'), options);
  const root = join(dir, '..', '..', '..');
  const tsx = createRequire(join(root, 'package.json')).resolve('tsx/cjs/api');
  return new Worker(sourceWorkerCode(root, tsx, 'src/worker'), { eval: true, ...options });
}
