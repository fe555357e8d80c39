import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The pages only the end-to-end tests open, kept out of the playground's build (../../vite.config.ts):
// threads.html checks @tapegrad/threads in a browser (threads-check/). `pnpm test:e2e` builds them into
// test/pages/dist with the same settings as the playground (the `browser` export condition, module workers), and
// test/e2e/harness.ts serves them, cross-origin isolated or not.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-test-pages', import.meta.url)),
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: { input: { threads: fileURLToPath(new URL('./threads.html', import.meta.url)) } },
  },
});
