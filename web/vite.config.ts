/**
 * Two builds from one config: `vite build` (console, base /console/) and `vite build --mode portal`
 * (portal, base /portal/). Output in web/dist/console and web/dist/portal, served by src/http/web.ts.
 */
import { defineConfig } from 'vite';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig(({ mode }) => {
  const app = mode === 'portal' ? 'portal' : 'console';
  return {
    root: resolve(here, app),
    base: `/${app}/`,
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify(mode === 'development' ? 'development' : 'production') },
    build: {
      outDir: resolve(here, 'dist', app),
      emptyOutDir: true,
      chunkSizeWarningLimit: 1200,
      reportCompressedSize: false,
      rollupOptions: {
        // antd marks its modules "use client" (for React Server Components); irrelevant in a browser bundle.
        onwarn(w, warn) { if (w.code === 'MODULE_LEVEL_DIRECTIVE') return; warn(w); },
      },
    },
    server: { proxy: { '/api': `http://127.0.0.1:${process.env.CUSTODIAN_PORT ?? 8080}` } },
  };
});
