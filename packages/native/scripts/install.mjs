// The package's install script: compiles the addon (binding.gyp) with node-gyp against the headers of the Node that
// runs this script and the system's OpenBLAS. It never fails the install: when the build cannot be done (no OpenBLAS
// headers, no compiler, no Node headers) it records why in build/install-status.json, prints one line, and exits 0;
// src/addon.ts reads that file to say why tapegrad runs on its WebAssembly kernels instead.
// Rebuilds only when a source is newer than the built addon. TAPEGRAD_NATIVE_BUILD=0 skips the build, =force forces it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'build', 'Release', 'tapegrad_native.node');
const statusFile = join(root, 'build', 'install-status.json');
const logFile = join(root, 'build', 'install.log');
const mode = process.env.TAPEGRAD_NATIVE_BUILD ?? '';

function record(ok, reason, log = '') {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, node: process.version, at: new Date().toISOString() }, null, 2) + '\n');
  if (log) writeFileSync(logFile, log);
  console.log(ok ? `@tapegrad/native: ${reason}` : `@tapegrad/native: not built (${reason}); tapegrad will use its WebAssembly kernels`);
}

function upToDate() {
  if (!existsSync(built) || !existsSync(statusFile)) return false;
  try {
    if (!JSON.parse(readFileSync(statusFile, 'utf8')).ok) return false;
  } catch {
    return false;
  }
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'csrc')).map((f) => join(root, 'csrc', f))];
  const builtAt = statSync(built).mtimeMs;
  return sources.every((f) => statSync(f).mtimeMs <= builtAt);
}

/** The installed Node's own headers (<prefix>/include/node), so node-gyp needs no download. */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))].filter(Boolean);
  return candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'node_api.h')));
}

/** node-gyp as [command, ...args]: the one the package manager provides, else npm's copy beside this Node. */
function nodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return fromEnv.endsWith('.js') ? [process.execPath, fromEnv] : [fromEnv];
  const onPath = spawnSync('node-gyp', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0) return ['node-gyp'];
  const npms = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(npms) ? [process.execPath, npms] : null;
}

/** The first line of the build log that says what was missing, in words a user can act on. */
function reasonFrom(log) {
  if (/cblas\.h: No such file/.test(log)) return 'OpenBLAS headers not found: install libopenblas-dev (Debian/Ubuntu) or openblas-devel';
  if (/cannot find -lopenblas/.test(log)) return 'libopenblas not found by the linker: install libopenblas-dev';
  if (/not found: (make|g\+\+|cc|gcc)|No such file or directory.*(make|cc)\b/.test(log))
    return 'no C compiler or make: install build-essential';
  if (/find Python|python.*not found/i.test(log)) return 'node-gyp found no Python 3';
  const error = log.split('\n').find((line) => /error:/i.test(line));
  return `node-gyp failed: ${(error ?? 'see the log').trim()}`;
}

function main() {
  if (mode === '0') return record(false, 'skipped: TAPEGRAD_NATIVE_BUILD=0');
  if (mode !== 'force' && upToDate()) return;
  const dir = nodeDir();
  if (!dir) return record(false, `no Node headers beside ${process.execPath} (expected include/node/node_api.h); set npm_config_nodedir`);
  const gyp = nodeGyp();
  if (!gyp) return record(false, 'node-gyp not found (it ships with npm and pnpm)');
  const [command, ...args] = gyp;
  const run = spawnSync(command, [...args, 'rebuild', `--nodedir=${dir}`], { cwd: root, encoding: 'utf8', env: process.env });
  const log = `$ ${[command, ...args, 'rebuild', `--nodedir=${dir}`].join(' ')}\n${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  if (run.status === 0 && existsSync(built)) return record(true, `built ${built.slice(root.length + 1)} against OpenBLAS`, log);
  record(false, reasonFrom(log), log);
}

try {
  main();
} catch (error) {
  // Whatever happens here, the workspace install goes on.
  try {
    record(false, `install script error: ${error instanceof Error ? error.message : String(error)}`);
  } catch {
    console.log('@tapegrad/native: not built; tapegrad will use its WebAssembly kernels');
  }
}
