// Vite config of the what-if explorer: root web/, static build to web/dist, the genz core bundled into a
// module worker (the page's own bundle stays small; recharts loads in a separate chunk).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  plugins: [react()],
  resolve: {
    alias: [{ find: /^(worker_threads|os|child_process)$/, replacement: new URL('./src/core/node-stub.ts', import.meta.url).pathname }],
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
});
