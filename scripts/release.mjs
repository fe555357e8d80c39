// `pnpm release`: everything a release does short of uploading.
//   1. `changeset version` applies the pending changesets in .changeset/: the public packages' versions go up
//      together (they are one `fixed` group) and each CHANGELOG.md gets its entry. Nothing pending: nothing changes.
//   2. `pnpm check:packages` builds the public packages and checks their tarballs (publint, arethetypeswrong,
//      dependency ranges, files) and the size budgets.
//   3. `pnpm test:consumer` installs the tarballs with npm, pnpm and yarn into throwaway projects and uses them
//      (skip with --skip-consumer).
//   4. `pnpm publish --dry-run` for each public package: what `npm publish` would upload, from the same tarball
//      `pnpm pack` makes (`workspace:` ranges replaced by the versions being released).
// Then it prints the versions and what is left to do by hand: review and commit the version bump, tag, publish.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pnpm, publicPackages, repoRoot } from './public-packages.mjs';

const skipConsumer = process.argv.includes('--skip-consumer');
const step = (title, command, args) => {
  console.log(`\n== ${title}: ${[command, ...args].join(' ')}`);
  execFileSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
};

const before = new Map(publicPackages().map((p) => [p.name, p.version]));
step('apply pending changesets', process.execPath, [join(repoRoot, 'node_modules/@changesets/cli/bin.js'), 'version']);
const packages = publicPackages();

step('build and check the packages', process.execPath, [join(repoRoot, 'scripts/check-packages.mjs')]);
if (!skipConsumer) step('install and use the tarballs', pnpm[0], [...pnpm[1], 'test:consumer']);
const filters = packages.flatMap((p) => ['--filter', p.name]);
step('publish, dry run', pnpm[0], [...pnpm[1], '-r', ...filters, 'publish', '--dry-run', '--no-git-checks']);

console.log('\n== versions');
for (const p of packages) console.log(`${p.name}: ${before.get(p.name) ?? 'new'} -> ${p.version}`);
const changed = packages.some((p) => before.get(p.name) !== p.version);
console.log(
  changed
    ? '\nNext, by hand: review and commit the version bump and the CHANGELOG entries, then publish with\n' +
        '`npx -y pnpm@10.34.9 changeset publish` (runs `pnpm publish` for each new version and tags it; needs an npm token).'
    : '\nNo pending changesets, so the versions are unchanged: the dry run above is what publishing them now would upload.',
);
