/**
 * The consumer test (`pnpm test:consumer`, run by CI): the public packages packed with `pnpm pack`, installed from
 * those tarballs into throwaway projects outside the workspace with npm, pnpm and yarn (classic), and used there
 * as a user would: Node ESM and CommonJS, TypeScript under moduleResolution node16 and bundler, a Jest + ts-jest
 * suite with @tapegrad/gradcheck/jest, and a Vite bundle run in headless Chromium. Each project installs its own
 * tools (TypeScript, Jest, Vite) from the registry, at the versions this workspace uses; the browser and its
 * driver are the e2e tests' (Debian's chromium through playwright-core).
 *
 * The project's files are in fixture/. CONSUMER_PMS=npm,pnpm picks package managers (default all three);
 * CONSUMER_KEEP=1 keeps the projects (their folder is printed) for a look after a failure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ensureChromium, launchChromium, serve } from '../../packages/playground/test/e2e/harness';

const repoRoot = join(__dirname, '..', '..');
const fixture = join(__dirname, 'fixture');
const workspace = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const PNPM = workspace.packageManager as string; // pnpm@10.34.9
const YARN = 'yarn@1.22.22';
/** yarn's cache for these projects (see the install step). */
const yarnCache = join(tmpdir(), 'tapegrad-consumer-yarn-cache');
const managers = (process.env.CONSUMER_PMS ?? 'npm,pnpm,yarn').split(',').filter(Boolean);

interface Packed {
  name: string;
  version: string;
  tarball: string;
  /** Every file in the tarball (path inside the package) with the SHA-256 of its contents. */
  files: Map<string, string>;
}

const root = mkdtempSync(join(tmpdir(), 'tapegrad-consumer-'));
let packed: Packed[] = [];

/**
 * The environment for package managers and tools in the projects: this process's, less what `pnpm run` adds
 * (npm_config_* and friends would reconfigure the npm, pnpm and yarn started here).
 */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|PNPM_|INIT_CWD$|JEST_WORKER_ID$)/.test(k)));

/** Runs a command in `cwd`; on a non-zero exit throws with its output (the last 60 lines). */
function run(cwd: string, command: string, args: string[], timeout = 300_000): string {
  const started = Date.now();
  try {
    return execFileSync(command, args, {
      cwd,
      env: { ...cleanEnv, CI: 'true' },
      encoding: 'utf8',
      stdio: 'pipe',
      timeout,
      maxBuffer: 64 << 20,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; status?: number; signal?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trimEnd().split('\n').slice(-60).join('\n');
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed after ${Date.now() - started} ms, status ${e.status ?? e.signal}:\n${output}`,
    );
  }
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

beforeAll(() => {
  run(repoRoot, process.execPath, ['scripts/public-packages.mjs', 'build'], 600_000);
  const tarballs = join(root, 'tarballs');
  mkdirSync(tarballs);
  const list = JSON.parse(run(repoRoot, process.execPath, ['scripts/public-packages.mjs', 'pack', tarballs]).trim().split('\n').pop()!);
  packed = list.map((p: { name: string; version: string; tarball: string }) => {
    const unpacked = join(root, 'unpacked', p.name);
    mkdirSync(unpacked, { recursive: true });
    run(unpacked, 'tar', ['-xzf', p.tarball]);
    const files = new Map(
      filesUnder(join(unpacked, 'package')).map((f) => [relative(join(unpacked, 'package'), f), sha256(readFileSync(f))] as const),
    );
    return { ...p, files };
  });
  if (process.env.CONSUMER_KEEP) console.log(`consumer projects in ${root}`);
}, 600_000);

/** Loads the page in headless Chromium and expects every check in fixture/checks.mjs to have passed. */
async function expectChecksPass(url: string): Promise<void> {
  ensureChromium();
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => 'tapegradResult' in globalThis, undefined, { timeout: 60_000 });
    const result = await page.evaluate(
      () => (globalThis as unknown as { tapegradResult: { passed?: string[]; error?: string } }).tapegradResult,
    );
    expect(result.error).toBeUndefined();
    expect(result.passed).toContain('threads: the shared product equals the single-thread one');
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

afterAll(() => {
  if (!process.env.CONSUMER_KEEP) rmSync(root, { recursive: true, force: true });
});

/** The throwaway project's package.json: the tarballs as dependencies, and forced for every dependent too. */
function manifest(manager: string): Record<string, unknown> {
  const fileSpec = (p: Packed) => `file:${p.tarball}`;
  const dependencies = Object.fromEntries(packed.map((p) => [p.name, fileSpec(p)]));
  const devDependencies = {
    typescript: workspace.devDependencies.typescript,
    '@types/node': workspace.devDependencies['@types/node'],
    jest: workspace.devDependencies.jest,
    'ts-jest': workspace.devDependencies['ts-jest'],
    '@types/jest': workspace.devDependencies['@types/jest'],
    vite: JSON.parse(readFileSync(join(repoRoot, 'packages/playground/package.json'), 'utf8')).devDependencies.vite,
  };
  // Without these, @tapegrad/nn's dependency on @tapegrad/core@^0.1.0 would be looked up on the registry.
  const forced =
    manager === 'npm'
      ? { overrides: Object.fromEntries(packed.map((p) => [p.name, `$${p.name}`])) }
      : manager === 'pnpm'
        ? {
            pnpm: {
              overrides: Object.fromEntries(packed.map((p) => [p.name, fileSpec(p)])),
              // pnpm runs no dependency's install script unless told to; @tapegrad/native compiles its addon in one.
              // A package from a tarball is named with its spec, as pnpm's "Ignored build scripts" prints it.
              onlyBuiltDependencies: packed
                .filter((p) => p.name === '@tapegrad/native')
                .map((p) => `${p.name}@file:${relative(join(root, manager), p.tarball)}`),
            },
          }
        : { resolutions: Object.fromEntries(packed.map((p) => [p.name, fileSpec(p)])) };
  return { name: `tapegrad-consumer-${manager}`, version: '1.0.0', private: true, dependencies, devDependencies, ...forced };
}

/**
 * Every entry point of every public package, from their exports maps, for node-checks.mjs to load; except the Jest
 * matchers entry, which needs Jest's `expect` (the Jest case covers it).
 */
function entryPoints(): string[] {
  return packed.flatMap((p) => {
    const exportsMap = JSON.parse(readFileSync(join(root, 'unpacked', p.name, 'package', 'package.json'), 'utf8')).exports ?? {};
    return Object.keys(exportsMap)
      .filter((subpath) => subpath !== './package.json' && subpath !== './jest')
      .map((subpath) => (subpath === '.' ? p.name : `${p.name}/${subpath.slice(2)}`));
  });
}

const installCommands: Record<string, [string, string[]]> = {
  npm: ['npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']],
  pnpm: ['npx', ['-y', PNPM, 'install', '--prefer-offline', '--reporter=append-only']],
  yarn: ['npx', ['-y', YARN, 'install', '--non-interactive', '--prefer-offline', '--no-progress', '--silent', '--cache-folder', yarnCache]],
};

describe.each(managers)('installed from the tarballs with %s', (manager) => {
  const dir = join(root, manager);

  beforeAll(() => {
    cpSync(fixture, dir, { recursive: true });
    // One typed.ts, compiled as ESM (.mts) and as CommonJS (.cts) under node16.
    cpSync(join(dir, 'typed.ts'), join(dir, 'typed.mts'));
    cpSync(join(dir, 'typed.ts'), join(dir, 'typed.cts'));
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest(manager), null, 2)}\n`);
    writeFileSync(join(dir, 'entries.json'), `${JSON.stringify(entryPoints())}\n`);
    // yarn classic can install an earlier build of the same version from its cache (the check below, file for
    // file, catches that). So it gets a cache of its own, kept between runs for the registry's packages, from which
    // the @tapegrad entries are removed first (`yarn cache clean <name>` leaves a broken entry behind).
    if (manager === 'yarn') {
      const entries = join(yarnCache, 'v6'); // yarn classic's layout inside the cache folder
      mkdirSync(entries, { recursive: true });
      for (const entry of readdirSync(entries)) {
        // .tmp holds unpacked tarballs that yarn reuses by name too
        if (entry.includes('@tapegrad-') || entry === '.tmp') rmSync(join(entries, entry), { recursive: true, force: true });
      }
    }
    const [command, args] = installCommands[manager];
    run(dir, command, args, 600_000);
  }, 600_000);

  const bin = (name: string) => join(dir, 'node_modules', '.bin', name);

  test('each package is the tarball, file for file, and there is one @tapegrad/core', () => {
    const require = createRequire(join(dir, 'package.json'));
    const coreDir = realpathSync(dirname(require.resolve('@tapegrad/core/package.json')));
    for (const p of packed) {
      const installed = realpathSync(dirname(require.resolve(`${p.name}/package.json`)));
      const differing = [...p.files].filter(([file, hash]) => sha256(readFileSync(join(installed, file))) !== hash).map(([file]) => file);
      expect([p.name, differing]).toEqual([p.name, []]);
      if (p.name !== '@tapegrad/core') {
        const theirCore = createRequire(join(installed, 'package.json')).resolve('@tapegrad/core/package.json');
        expect([p.name, realpathSync(dirname(theirCore))]).toEqual([p.name, coreDir]);
      }
    }
  });

  test('Node ESM: import', () => {
    expect(run(dir, process.execPath, ['esm.mjs'])).toMatch(/^esm: \d+ checks passed/m);
  });

  test('Node CommonJS: require', () => {
    expect(run(dir, process.execPath, ['cjs.cjs'])).toMatch(/^cjs: \d+ checks passed/m);
  });

  test('TypeScript, moduleResolution node16, as ESM and as CommonJS', () => {
    run(dir, bin('tsc'), ['-p', 'tsconfig.node16.json']);
  });

  test('TypeScript, moduleResolution bundler', () => {
    run(dir, bin('tsc'), ['-p', 'tsconfig.bundler.json']);
  });

  test('Jest + ts-jest with the @tapegrad/gradcheck/jest matchers', () => {
    run(dir, bin('jest'), ['--ci', '--json', '--outputFile', 'jest-result.json']);
    const result = JSON.parse(readFileSync(join(dir, 'jest-result.json'), 'utf8'));
    expect([result.numPassedTests, result.numFailedTests, result.numTotalTestSuites]).toEqual([5, 0, 2]);
  });

  test('a Vite build runs in headless Chromium, threads included', async () => {
    run(dir, bin('vite'), ['build', 'web', '--outDir', join(dir, 'web-dist'), '--emptyOutDir', '--logLevel', 'warn']);
    const server = await serve(join(dir, 'web-dist'));
    try {
      await expectChecksPass(server.url);
    } finally {
      await server.close();
    }
  });

  test('the Vite dev server, with the documented config, serves the same page', async () => {
    const port = await freePort();
    const vite = spawn(bin('vite'), ['web', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      cwd: dir,
      env: { ...cleanEnv, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(() => fail(new Error(`vite dev did not start in 60 s:\n${output}`)), 60_000);
        const listen = (chunk: Buffer) => {
          output += chunk.toString();
          if (/ready in/.test(output)) ready(clearTimeout(timer));
        };
        vite.stdout.on('data', listen);
        vite.stderr.on('data', listen);
        vite.on('exit', (code) => fail(new Error(`vite dev exited with ${code}:\n${output}`)));
      });
      await expectChecksPass(`http://127.0.0.1:${port}/`);
    } finally {
      vite.kill();
    }
  });
});
