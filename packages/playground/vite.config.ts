import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Plugin, defineConfig } from 'vite';
import { packDigits } from './src/train/digits';

/** Training and held-out digits per class for the train view's CNN (600 in all). */
const DIGITS_PER_CLASS = { train: 40, test: 20 };

/**
 * `virtual:mnist-digits`: the first digits of each class of the `mnist` package (a dev dependency), packed at build
 * time into one module (train/digits.ts), which the training worker imports only when the digits are chosen.
 */
function mnistDigits(): Plugin {
  const id = 'virtual:mnist-digits';
  return {
    name: 'mnist-digits',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(resolved) {
      if (resolved !== `\0${id}`) return null;
      const folder = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
      const classes = Array.from(
        { length: 10 },
        (_, c) => (JSON.parse(readFileSync(join(folder, `${c}.json`), 'utf8')) as { data: number[] }).data,
      );
      return `export default ${JSON.stringify(packDigits(classes, DIGITS_PER_CLASS.train, DIGITS_PER_CLASS.test))};`;
    },
  };
}

// @tapegrad/* resolve through node_modules to the packages' built `dist` via their `exports` maps, exactly as in a
// user's app (the `browser` condition first: @tapegrad/threads has a Web Worker entry); the build script builds them
// first.
//
// Cross-origin isolation: without these two headers a browser offers no SharedArrayBuffer, and enableThreads()
// from @tapegrad/threads stays at one thread. require-corp is harmless here: every resource is same-origin.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  plugins: [mnistDigits()],
  worker: { format: 'es', plugins: () => [mnistDigits()] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { port: 5173, headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
});
