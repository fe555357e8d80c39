import { defineConfig } from 'vite';

// @tapegrad/* resolve through node_modules to the packages' built `dist` via their `exports` maps (the
// `import` condition), exactly as in a user's app; the build script builds them first.
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { port: 5173 },
});
