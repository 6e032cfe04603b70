import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';

/** Why the rootless path cannot be exercised here (it needs root to drop to another user). */
function cannotDropPrivileges(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: cannot switch to an unprivileged user for this test (the suite itself runs rootless then)';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) is not installed';
  return undefined;
}

describe('rootless: publishing a port as an unprivileged desktop user', () => {
  let dir: { path: string; cleanup: () => void };
  beforeAll(() => {
    dir = tempDir();
    chmodSync(dir.path, 0o777);
  });
  afterAll(() => dir.cleanup());

  it('goes through pasta as the user: a GET is served, the helper ends with the container', ({ skip }) => {
    const why = busyboxMissing() ?? cannotDropPrivileges();
    if (why) skip(why);
    const res = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(repoRoot, 'test/container/rootless-ports.ts'), dir.path],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.path }, cwd: dir.path },
    );
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { skipped?: string; uid: number; body: string; driver: string; ports: Record<string, unknown>; helperAlive: boolean; after: string | null };
    if (out.skipped) skip(out.skipped);
    expect(out.uid).toBe(65534);
    expect(out.body).toBe('rootless\n');
    expect(out.driver).toBe('pasta');
    expect(Object.keys(out.ports)).toEqual(['80/tcp']);
    expect(out.helperAlive).toBe(false);
    expect(out.after).toBeNull();
  });
});
