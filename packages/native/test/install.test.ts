// The install script never fails an install: without OpenBLAS (simulated by a node-gyp that fails the way the
// compiler does when cblas.h is missing) it exits 0, prints one line naming the missing package, and records the
// reason, which the loader then reports instead of loading anything.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAddonFrom } from '../src/addon';

const packageDir = join(__dirname, '..');

describe('scripts/install.mjs', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tapegrad-native-'));
    for (const entry of ['binding.gyp', 'csrc', 'scripts']) cpSync(join(packageDir, entry), join(root, entry), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function install(fakeGyp: string, env: Record<string, string> = {}) {
    const gyp = join(root, 'fake-node-gyp.js');
    writeFileSync(gyp, fakeGyp);
    return spawnSync(process.execPath, ['scripts/install.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, npm_config_node_gyp: gyp, TAPEGRAD_NATIVE_BUILD: '', ...env },
    });
  }

  it('exits 0 with one line and a recorded reason when OpenBLAS headers are missing', () => {
    const run = install(
      `process.stderr.write("../csrc/gemm.c:7:10: fatal error: cblas.h: No such file or directory\\\\n"); process.exit(1);`,
    );
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^@tapegrad\/native: not built \(OpenBLAS headers not found: install libopenblas-dev/)]);
    const status = JSON.parse(readFileSync(join(root, 'build', 'install-status.json'), 'utf8'));
    expect(status.ok).toBe(false);
    expect(readFileSync(join(root, 'build', 'install.log'), 'utf8')).toMatch(/cblas\.h: No such file/);
    const load = loadAddonFrom(root);
    expect(load.addon).toBeNull();
    expect(load.reason).toMatch(/^not built at install: OpenBLAS headers not found/);
  });

  it('exits 0 when node-gyp itself crashes, and names the error', () => {
    const run = install(`throw new Error('boom');`);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/not built \(node-gyp failed: .*Error: boom/);
  });

  it('records a skip when TAPEGRAD_NATIVE_BUILD=0', () => {
    const run = install(`process.exit(1)`, { TAPEGRAD_NATIVE_BUILD: '0' });
    expect(run.status).toBe(0);
    expect(loadAddonFrom(root).reason).toBe('not built at install: skipped: TAPEGRAD_NATIVE_BUILD=0');
  });

  it('without any record, the loader says the install script never ran and how to run it', () => {
    expect(loadAddonFrom(root).reason).toMatch(/never built .*pnpm rebuild @tapegrad\/native/);
  });
});
