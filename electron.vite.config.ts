import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// The engine (src/main/engine) is plain Node and is bundled into the main process;
// native modules stay external so Electron loads their N-API binaries at run time.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        external: ['better-sqlite3', 'node-pty'],
        // The container monitor runs as its own process (`run -d`, `start`): a second entry.
        input: {
          index: resolve('src/main/index.ts'),
          monitor: resolve('src/main/engine/container/monitor.ts'),
        },
      },
    },
  },
  // A sandboxed renderer can only run a CommonJS preload.
  preload: {
    build: { rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: { rollupOptions: { input: resolve('src/renderer/index.html') } },
    plugins: [vue()],
  },
});
