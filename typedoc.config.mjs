// TypeDoc settings for `pnpm run docs` (the API reference in docs/api/, tested warning-free by
// docs/test/api-reference.test.ts). Every entry point of every public package is documented: the list comes from
// the packages' `exports` maps (the `import` build's file under src/), so a new public package or subpath export
// is documented without an edit here. Each entry file names its page with `@module <import specifier>` in its
// first doc comment, so the reference is titled `@tapegrad/core`, not `core/src`; a missing one stops the build.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { publicPackages, repoRoot } from './scripts/public-packages.mjs';

const entries = publicPackages().flatMap((pkg) =>
  Object.entries(pkg.manifest.exports ?? {})
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, conditions]) => {
      const built = conditions.import?.default ?? conditions.default;
      const source = join(pkg.dir, built.replace(/^\.\/dist\/[^/]+\//, 'src/').replace(/\.js$/, '.ts'));
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
      if (!existsSync(source))
        throw new Error(`typedoc: ${specifier} is built from ${built}, but ${relative(repoRoot, source)} does not exist`);
      if (!readFileSync(source, 'utf8').includes(`@module ${specifier}\n`)) {
        throw new Error(
          `typedoc: ${relative(repoRoot, source)} needs \`@module ${specifier}\` in its first doc comment (the page's title)`,
        );
      }
      return relative(repoRoot, source);
    }),
);

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'tapegrad',
  entryPointStrategy: 'resolve',
  entryPoints: entries,
  tsconfig: 'tsconfig.spec.json',
  out: 'docs/api',
  readme: 'docs/api-home.md',
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  excludeExternals: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  packagesRequiringDocumentation: publicPackages().map((pkg) => pkg.name),
  disableSources: true,
  skipErrorChecking: true,
  intentionallyNotDocumented: [
    '@tapegrad/gradcheck.GradcheckReport.tolerance.__type.eps',
    '@tapegrad/gradcheck.allClose.__type.pass',
    '@tapegrad/gradcheck.allClose.__type.message',
  ],
};
