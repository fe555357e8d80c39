/**
 * The release configuration (.changeset/config.json) does what docs/use-in-your-project.md says: on a copy of the
 * workspace's manifests, a `minor` changeset for one package moves every public package to the next minor version
 * together (a fixed group), writes the entry into that package's CHANGELOG.md, leaves the private packages alone,
 * and `pnpm pack` turns the `workspace:^` ranges into the new version's range.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

let copy = '';
beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'tapegrad-release-'));
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) cpSync(join(repoRoot, file), join(copy, file));
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    mkdirSync(join(copy, 'packages', pkg), { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md', 'README.md']) {
      try {
        cpSync(join(repoRoot, 'packages', pkg, file), join(copy, 'packages', pkg, file));
      } catch {
        // not every package has a README or a CHANGELOG (the private ones)
      }
    }
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
  execFileSync('git', ['init', '-q'], { cwd: copy });
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

test('a minor changeset for @tapegrad/nn releases every public package at the next minor version', () => {
  const manifests = () => readdirSync(join(copy, 'packages')).map((pkg) => ({ pkg, ...read(join(copy, 'packages', pkg, 'package.json')) }));
  const before = manifests();
  const current = before.find((m) => m.name === '@tapegrad/nn').version as string;
  const [major, minor] = current.split('.').map(Number);
  const next = `${major}.${minor + 1}.0`; // semver's next minor
  writeFileSync(join(copy, '.changeset', 'adam-steps.md'), "---\n'@tapegrad/nn': minor\n---\n\nAdam keeps one step count per parameter.\n");

  execFileSync(process.execPath, [join(repoRoot, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: copy, stdio: 'pipe' });

  const after = manifests();
  for (const m of after) {
    const was = before.find((b) => b.pkg === m.pkg);
    expect([m.name, m.version]).toEqual([m.name, m.private ? was.version : next]);
    if (!m.private) expect([m.name, m.dependencies?.['@tapegrad/core']]).toEqual([m.name, was.dependencies?.['@tapegrad/core']]);
  }
  const changelog = readFileSync(join(copy, 'packages/nn/CHANGELOG.md'), 'utf8');
  expect(changelog).toMatch(
    new RegExp(
      `^# @tapegrad/nn\\n\\n## ${next.replace(/\./g, '\\.')}\\n\\n### Minor Changes\\n\\n- .*Adam keeps one step count per parameter\\.`,
    ),
  );
  expect(changelog).toContain(`## ${current}`); // the earlier entries stay, below
  expect(readdirSync(join(copy, '.changeset'))).not.toContain('adam-steps.md');

  // What a publish of the new version would carry as its dependency on the core. pnpm reads the version behind
  // `workspace:^` from the linked package, as `pnpm install` links it.
  mkdirSync(join(copy, 'packages/nn/node_modules/@tapegrad'), { recursive: true });
  symlinkSync(join(copy, 'packages/core'), join(copy, 'packages/nn/node_modules/@tapegrad/core'));
  const pnpmArgs = ['-y', read(join(repoRoot, 'package.json')).packageManager, 'pack', '--pack-destination', copy, '--json'];
  const packed = JSON.parse(execFileSync('npx', pnpmArgs, { cwd: join(copy, 'packages/nn'), encoding: 'utf8' }));
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', packed.filename, 'package/package.json'], { encoding: 'utf8' }));
  expect([manifest.version, manifest.dependencies['@tapegrad/core']]).toEqual([next, `^${next}`]);
});
