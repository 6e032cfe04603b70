import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // `load` and `pull` unpack in a background process (snapshot/prepare.ts): off, so that a
    // test's store holds only what the test made; the tests of that feature turn it on.
    env: { STRATA_PREPARE_SNAPSHOTS: '0' },
    // Every skipped test is listed with its reason; under CI=true a skip fails the run.
    reporters: ['default', './scripts/skip-reporter.ts'],
  },
});
