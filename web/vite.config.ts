import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));
const api = 'http://localhost:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Each page is its own chunk (React.lazy in routes.tsx, App.tsx); the charts library is fetched
    // only by the pages that draw charts (ECharts alone is ~580 kB before compression). Mantine is
    // not one group: its components go with the pages that use them, so the sign-in page carries
    // only the few it shows. React and the query cache, which every page needs, are one
    // long-cached file.
    chunkSizeWarningLimit: 1100,
    // .vite/manifest.json: which files each page pulls in, read by test/bundle-size.test.ts.
    manifest: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 30 },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|@tanstack)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
});
