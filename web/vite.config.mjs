// Vite build of the tiejian console: root web/, output web/dist, hashed assets under /assets/.
// Everything is bundled; nothing is fetched from outside at run time (the console runs on an intranet).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npm run dev` proxies the API to a running `tiejian serve` (default 127.0.0.1:8080).
const apiTarget = process.env.TIEJIAN_URL || 'http://127.0.0.1:8080';

function manualChunks(id) {
  if (!id.includes('node_modules')) return undefined;
  if (id.includes('echarts') || id.includes('zrender')) return 'echarts';
  if (id.includes('element-plus') || id.includes('@element-plus')) return 'element-plus';
  return 'vendor';
}

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // no data: URLs for scripts; small images may still be inlined (img-src allows data:)
    assetsInlineLimit: 4096,
    chunkSizeWarningLimit: 1200,
    rollupOptions: { output: { manualChunks } },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget },
    },
  },
});
