// Builds the browser client into web/dist, which the server serves at `/` (src/app.factory.ts).
// Asset names carry a content hash; nothing is inlined into index.html (the CSP allows no inline
// script or style), so `assetsInlineLimit` is 0 and the module-preload polyfill is off.
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } } },
});
