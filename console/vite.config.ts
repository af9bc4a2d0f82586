import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The API server the dev server proxies to (start it as the README says).
const api = process.env.TIERSTATE_API ?? 'http://localhost:8080';

// changeOrigin stays false: the server's CSRF check compares Origin with Host, and both must
// keep naming the dev server for a proxied POST to pass.
const proxied = { target: api, changeOrigin: false };

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    // Maven packages target/classes into the tierstate-console jar: the files land on the
    // classpath under console/ (console/index.html, console/assets/*-<hash>.js|css).
    outDir: 'target/classes/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // No inline assets: the CSP allows img-src data:, but nothing needs it.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': proxied,
      '/admin': proxied,
      '/health': proxied,
      '/metrics': proxied,
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    restoreMocks: true,
  },
});
