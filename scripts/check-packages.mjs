// `pnpm check:packages`: builds the public packages, packs each with `pnpm pack` (as `pnpm publish` would) and
// checks the tarballs a user would install:
//   - publint in strict mode: any message (error, warning or suggestion) fails;
//   - arethetypeswrong: any problem, for any entry point under any module resolution (node10, node16 from CJS
//     and from ESM, bundler), fails;
//   - the packed package.json has no `workspace:` range left, and each @tapegrad dependency's range admits
//     the version of that package in this workspace;
//   - the tarball ships README.md, CHANGELOG.md, LICENSE (the repository's) and no build caches or tests.
// Then size-limit checks the bundle budgets in .size-limit.json against the fresh build.
// `--no-build` skips the build (for a caller that has just built), `--keep DIR` leaves the tarballs in DIR.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemKindInfo } from '@arethetypeswrong/core/problems';
import { buildPublicPackages, packPublicPackages, publicPackages, repoRoot } from './public-packages.mjs';

const args = process.argv.slice(2);
const keep = args.includes('--keep') ? resolve(args[args.indexOf('--keep') + 1]) : null;

const started = Date.now();
if (!args.includes('--no-build')) buildPublicPackages();

const destination = keep ?? mkdtempSync(join(tmpdir(), 'tapegrad-pack-'));
mkdirSync(destination, { recursive: true });
const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
const versions = new Map(publicPackages().map((pkg) => [pkg.name, pkg.version]));
const failures = [];

try {
  for (const pkg of packPublicPackages(destination)) {
    const problems = [];
    const data = new Uint8Array(readFileSync(pkg.tarball));
    const packed = createPackageFromTarballData(data);
    const root = `/node_modules/${pkg.name}`;
    const files = packed.listFiles().map((f) => f.slice(root.length + 1));
    const manifest = JSON.parse(packed.readFile(`${root}/package.json`));

    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} is still "${range}" in the tarball`);
        else if (versions.has(dep) && !semver.satisfies(versions.get(dep), range)) {
          problems.push(`${field}.${dep} is "${range}", which does not admit the workspace's ${dep}@${versions.get(dep)}`);
        }
      }
    }
    if (manifest.publishConfig?.access !== 'public')
      problems.push('publishConfig.access is not "public" (a scoped package is private by default)');
    if (!files.includes('README.md')) problems.push('no README.md (the page npm shows)');
    if (!files.includes('CHANGELOG.md')) problems.push('no CHANGELOG.md');
    if (!files.includes('LICENSE')) problems.push('no LICENSE');
    else if (packed.readFile(`${root}/LICENSE`) !== license) problems.push("LICENSE differs from the repository's LICENSE");
    const stray = files.filter((f) => /\.tsbuildinfo$|\.test\.[cm]?[jt]s$|(^|\/)__tests__\//.test(f));
    if (stray.length > 0) problems.push(`ships files no user needs: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', …' : ''}`);

    const lint = await publint({ pack: { tarball: data.buffer }, strict: true, level: 'suggestion' });
    for (const message of lint.messages) problems.push(`publint ${message.type}: ${formatMessage(message, lint.pkg, { color: false })}`);

    const analysis = await checkPackage(packed);
    if (!analysis.types) problems.push('arethetypeswrong: the package ships no types');
    else {
      for (const problem of analysis.problems) {
        const where = [problem.entrypoint, problem.resolutionKind].filter(Boolean).join(' under ');
        problems.push(`arethetypeswrong ${problem.kind}${where ? ` (${where})` : ''}: ${problemKindInfo[problem.kind].description}`);
      }
    }

    const entries = analysis.types ? Object.keys(analysis.entrypoints).length : 0;
    const size = (data.byteLength / 1024).toFixed(0);
    console.log(
      `${problems.length === 0 ? 'ok  ' : 'FAIL'} ${pkg.name}@${manifest.version}  ${files.length} files, ${size} kB packed, ${entries} entry points`,
    );
    for (const p of problems) console.log(`       ${p}`);
    if (problems.length > 0) failures.push(pkg.name);
  }
} finally {
  if (!keep) rmSync(destination, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck:packages: ${failures.length} package(s) with problems: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`publint (strict) and arethetypeswrong clean for ${versions.size} packages in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// size-limit reads .size-limit.json; its output is the budget table.
const sizes = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'size-limit', 'bin.js')], { cwd: repoRoot, stdio: 'inherit' });
if (sizes.status !== 0) {
  console.error('check:packages: over a size budget (.size-limit.json); see docs/use-in-your-project.md, "What it adds to a bundle"');
  process.exit(1);
}
