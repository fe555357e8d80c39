// Tests are laid out one way (docs/decisions.md, "Where tests live"): beside the code only for core's ops and
// kernels, where each file is a unit the backends run; in packages/<pkg>/test/ everywhere else.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const repoRoot = join(__dirname, '..');
const COLOCATED = [/^packages\/core\/src\/ops\//, /^packages\/core\/src\/ndarray\/kernels\//, /^packages\/core\/src\/backend\//];

function testsUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testsUnder(path);
    return entry.name.endsWith('.test.ts') ? [relative(repoRoot, path)] : [];
  });
}

test('no test sits in a package source folder outside core ops and kernels', () => {
  const packages = join(repoRoot, 'packages');
  const misplaced = readdirSync(packages)
    .flatMap((pkg) => {
      try {
        return testsUnder(join(packages, pkg, 'src'));
      } catch {
        return []; // a package without src/
      }
    })
    .filter((file) => !COLOCATED.some((allowed) => allowed.test(file)));
  expect(misplaced).toEqual([]);
});

test('the check sees the colocated op tests it allows', () => {
  expect(testsUnder(join(repoRoot, 'packages', 'core', 'src', 'ops')).length).toBeGreaterThan(30);
});
