import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { ciForbidsSkips } from './scripts/skip-policy.ts';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Under CI a failed test runs once more: this shared VM's load makes a rare timing miss that
    // would stop everything from landing. A test that passes only on its retry is still listed,
    // with its first error, as flaky (scripts/skip-reporter.ts); one that fails twice fails.
    retry: ciForbidsSkips() ? 1 : 0,
    // `load` and `pull` unpack in a background process (snapshot/prepare.ts): off, so that a
    // test's store holds only what the test made; the tests of that feature turn it on.
    env: { STRATA_PREPARE_SNAPSHOTS: '0' },
    // Every skipped test is listed with its reason; under CI=true a skip fails the run.
    reporters: ['default', './scripts/skip-reporter.ts'],
  },
});
