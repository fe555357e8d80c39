// `node scripts/measure-sizes.mjs`: what each import costs a bundle, for tapegrad's built packages and for
// TensorFlow.js (the dev-dependency @tensorflow/tfjs and the tfjs-core and tfjs-backend-cpu it depends on),
// measured the same way as the budgets in .size-limit.json: size-limit's own API with its small-lib preset
// (esbuild bundles an entry that imports the names, minifies it, and the result is gzipped).
// Prints a Markdown table for docs/use-in-your-project.md. Needs `pnpm build` first.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sizeLimit from 'size-limit';
import smallLib from '@size-limit/preset-small-lib';
import { repoRoot } from './public-packages.mjs';

const require = createRequire(join(repoRoot, 'package.json'));
const tfjsRequire = createRequire(require.resolve('@tensorflow/tfjs/package.json'));
/** A package's ES module entry (its `module` field), resolved from @tensorflow/tfjs as its own imports are. */
const tfjsEntry = (name) => {
  const dir = dirname(tfjsRequire.resolve(`${name}/package.json`));
  return join(dir, tfjsRequire(`${name}/package.json`).module);
};
const built = (pkg, file = 'index.js') => join(repoRoot, 'packages', pkg, 'dist', 'esm', file);

const rows = [
  ['`@tapegrad/core`, everything', { [built('core')]: '*' }],
  ["`import { scalar } from '@tapegrad/core'`", { [built('core')]: '{ scalar }' }],
  ["`import { tensor } from '@tapegrad/core'`", { [built('core')]: '{ tensor }' }],
  ['`@tapegrad/nn`, everything (with the parts of the core it uses)', { [built('nn')]: '*' }],
  ['`@tensorflow/tfjs-core`, everything (no backend: computes nothing)', { [tfjsEntry('@tensorflow/tfjs-core')]: '*' }],
  ["`import { scalar } from '@tensorflow/tfjs-core'` (no backend)", { [tfjsEntry('@tensorflow/tfjs-core')]: '{ scalar }' }],
  [
    "`import { scalar } from '@tensorflow/tfjs-core'` + `import '@tensorflow/tfjs-backend-cpu'` (the least that computes)",
    { [tfjsEntry('@tensorflow/tfjs-core')]: '{ scalar }', [tfjsEntry('@tensorflow/tfjs-backend-cpu')]: '*' },
  ],
  ['`@tensorflow/tfjs`, everything', { [tfjsEntry('@tensorflow/tfjs')]: '*' }],
];

const results = await sizeLimit(smallLib, { checks: rows.map(([name, imports]) => ({ name, import: imports, gzip: true, files: [] })) });
console.log('| what the bundle imports | minified + gzipped |\n| --- | ---: |');
rows.forEach(([name], i) => console.log(`| ${name} | ${(results[i].size / 1000).toFixed(1)} kB |`));
