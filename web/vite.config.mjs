// Builds the browser app into web/dist, which Parley serves itself (src/delivery/web/web-routes.ts).
// JSX goes through esbuild's automatic runtime: no Babel plugin needed.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  // `npx vite --config web/vite.config.mjs` serves the app with hot reload; the API comes from a running Parley.
  server: { port: 5173, strictPort: true, proxy: { '/api': process.env.PARLEY_API_URL || 'http://127.0.0.1:8080' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The modulepreload polyfill is bundled into the entry chunk, never inlined: the CSP allows no inline script.
    modulePreload: { polyfill: true },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
});
