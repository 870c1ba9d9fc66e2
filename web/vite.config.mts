import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is served by the Nest app under /ui (src/common/http/dashboard-static.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or data: URLs for scripts: the app's CSP (helmet's default) forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite web` during development: the API runs on :3000.
    proxy: { '^/(logs|services|metrics|alerts|health)': 'http://localhost:3000' },
  },
});
