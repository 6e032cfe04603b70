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

describe('rootless: the same containers for an unprivileged desktop user', () => {
  let dir: { path: string; cleanup: () => void };
  beforeAll(() => {
    dir = tempDir();
    chmodSync(dir.path, 0o777);
  });
  afterAll(() => dir.cleanup());

  it('runs, diffs and commits in a user namespace, files owned by root inside', ({ skip }) => {
    const why = busyboxMissing() ?? cannotDropPrivileges();
    if (why) skip(why);
    const res = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(repoRoot, 'test/container/rootless-run.ts'), dir.path],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.path }, cwd: dir.path },
    );
    expect(res.stderr).toBe('');
    const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { skipped?: string; uid: number; codes: number[]; diff: string[]; files: string[]; output: string; removed: boolean };
    if (out.skipped) skip(out.skipped);
    expect(out.uid).toBe(65534);
    expect(out.codes).toEqual([0, 0]);
    // Inside, the user is root; overlayfs keeps its marks in user.* xattrs, found all the same.
    expect(out.output).toBe('0\n0:0 /root/x\nno-group\n');
    // /root made again (opaque): docker's diff lists it as changed, with what it lost (nothing here).
    expect(out.diff).toEqual(['C /etc', 'D /etc/group', 'C /root', 'A /root/x']);
    expect(out.removed).toBe(true);
    expect(out.files).toEqual(['dir etc 0:0', 'whiteout etc/group 0:0', 'opaque root 0:0', 'file root/x 0:0']);
  });
});
