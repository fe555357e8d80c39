// The workspace's public packages (every packages/*/package.json without `"private": true`) and their tarballs.
// One list for the package checks, the consumer test and the release: a new public package is picked up by
// being there and not private, with no list to edit.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The pnpm the workspace pins (package.json's packageManager), run through npx as everywhere else. */
export const pnpm = ['npx', ['-y', JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).packageManager]];

/** @returns {{ name: string, version: string, dir: string, manifest: Record<string, any> }[]} sorted by name */
export function publicPackages() {
  const root = join(repoRoot, 'packages');
  return readdirSync(root)
    .map((entry) => join(root, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, version: manifest.version, dir, manifest }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Builds the public packages (and only them: the examples and the playground are not published). */
export function buildPublicPackages() {
  const filters = publicPackages().flatMap((pkg) => ['--filter', pkg.name]);
  execFileSync(pnpm[0], [...pnpm[1], '-r', ...filters, 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Packs every public package with `pnpm pack` (which turns `workspace:` ranges into real versions, as
 * `pnpm publish` does) into `destination`. The packages must be built first.
 * @returns {{ name: string, version: string, dir: string, manifest: Record<string, any>, tarball: string }[]}
 */
export function packPublicPackages(destination) {
  const packages = publicPackages();
  const filters = packages.flatMap((pkg) => ['--filter', pkg.name]);
  const out = execFileSync(pnpm[0], [...pnpm[1], '-r', ...filters, 'pack', '--pack-destination', destination, '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const packed = new Map([].concat(JSON.parse(out)).map((entry) => [entry.name, entry.filename]));
  return packages.map((pkg) => {
    const tarball = packed.get(pkg.name);
    if (!tarball) throw new Error(`pnpm pack made no tarball for ${pkg.name}`);
    return { ...pkg, tarball };
  });
}

// `node scripts/public-packages.mjs build` builds them; `node scripts/public-packages.mjs pack DIR` packs them into
// DIR and prints the list as JSON (for the tests, which run as CommonJS and cannot import this module).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'build') buildPublicPackages();
  else if (process.argv[2] === 'pack') {
    const packed = packPublicPackages(process.argv[3]);
    console.log(JSON.stringify(packed.map(({ name, version, dir, tarball }) => ({ name, version, dir, tarball }))));
  } else throw new Error('usage: node scripts/public-packages.mjs build | pack DIR');
}
