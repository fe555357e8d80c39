import { defineConfig } from 'vite';

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
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { port: 5173, headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
});
