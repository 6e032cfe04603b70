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
        // Scripts the engine starts by path get entries of their own: the container monitor
        // (`run -d`, `start`), the rootless snapshot worker (unpack and pack inside the user
        // namespace) and the snapshot preparer (layers unpacked after a load, pull or import).
        // Engine code finds them beside itself (`./monitor.js`), so shared chunks stay in
        // out/main too.
        input: {
          index: resolve('src/main/index.ts'),
          monitor: resolve('src/main/engine/container/monitor.ts'),
          'userns-worker': resolve('src/main/engine/snapshot/userns-worker.ts'),
          'prepare-main': resolve('src/main/engine/snapshot/prepare-main.ts'),
        },
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
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
