/**
 * Honest counts: a skipped test is listed with its reason, and under CI=true a skip fails the
 * run (all but the Electron launch test), so CI cannot silently lose coverage.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { disallowedSkips } from '../../scripts/skip-policy.ts';

/** vitest itself on test/fixtures/skip-policy/sample.ts: one test passes, one skips with a reason. */
function runSample(env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const clean = { ...process.env };
  delete clean.CI;
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'test/fixtures/skip-policy/vitest.config.ts'], {
    cwd: repoRoot, encoding: 'utf8', env: { ...clean, NO_COLOR: '1', ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('the skip policy', () => {
  it('lists a skipped test with its reason and passes outside CI', () => {
    const r = runSample({});
    expect(r.out).toMatch(/Tests\s+1 passed \| 1 skipped/);
    expect(r.out).toContain('skipped: test/fixtures/skip-policy/sample.ts > needs a tool: the tool is not installed');
    expect(r.status).toBe(0);
  });

  it('fails the run under CI=true', () => {
    const r = runSample({ CI: 'true' });
    expect(r.out).toContain('FAILED: CI=true and 1 test(s) skipped');
    expect(r.status).toBe(1);
  });

  it('allows only the Electron launch test to skip under CI=true', () => {
    const r = runSample({ CI: 'true', STRATA_SAMPLE_SKIP_NAME: 'Electron: the same smoke flow in the desktop app' });
    expect(r.out).not.toContain('FAILED');
    expect(r.status).toBe(0);
    const skip = (name: string) => ({ where: 'e2e', name, reason: 'r' });
    expect(disallowedSkips([skip('Electron: x'), skip('end-to-end suite (every case)'), skip('Electronics')]).map((s) => s.name))
      .toEqual(['end-to-end suite (every case)', 'Electronics']);
  });

  it('in the rootless pass, also a test that needs root (it ran in the root pass); nothing else', () => {
    const skips = [{ where: 'f', name: 'as root', reason: 'not root: needs root' }, { where: 'f', name: 'tool', reason: 'busybox-static is not installed' }];
    expect(disallowedSkips(skips, { STRATA_ROOTLESS_PASS: '1' }).map((s) => s.name)).toEqual(['tool']);
    expect(disallowedSkips(skips, {}).map((s) => s.name)).toEqual(['as root', 'tool']);
  });
});
