/**
 * Runs a TypeScript file of the workspace in a child process, with `@tapegrad/*` mapped to the packages' sources
 * (tsx's loader with tsconfig.spec.json's paths), as a user's script would run against the built packages. The
 * child is node itself (not the tsx CLI, which would start a second process), so killing it kills the script.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '..', '..', '..');

export function spawnSource(file: string, args: string[]): ChildProcess {
  const loader = pathToFileURL(require.resolve('tsx/esm', { paths: [root] })).href;
  return spawn(process.execPath, ['--import', loader, file, ...args], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.spec.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
