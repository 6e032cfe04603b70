/**
 * Issue 20: Strata as an ordinary user with a subordinate ID range behaves like docker (and like
 * Strata as root): a non-root USER cannot write root's files, files keep the owners the layers
 * say (exec, cp, export, commit too), a rootless build's layers record the same owners as a root
 * build, and the user can remove their store without root. The script (idmap-run.ts) runs as that user; as root the test also
 * runs it as root and compares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chownSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { asOrdinaryUser } from '../fixtures/subuid-user.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';

interface Seen {
  skipped?: string;
  uid: number;
  mapping: string;
  issue: { imageId?: string; error?: string; logs: string };
  ok: { error?: string; logs: string };
  layers: string[][];
  owners?: { code: number; output: string };
  asNobody?: { code: number; output: string };
  files?: Record<string, unknown>;
  storeRemoved: boolean;
}

function runScript(prefix: string[], dir: string, env: NodeJS.ProcessEnv = {}): Seen {
  const [cmd, ...args] = [...prefix, process.execPath, join(repoRoot, 'test/container/idmap-run.ts'), dir];
  const res = spawnSync(cmd!, args, {
    encoding: 'utf8', cwd: dir, timeout: 100_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env },
  });
  const last = res.stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) throw new Error(`idmap-run.ts failed (${res.status}): ${res.stderr}`);
  return JSON.parse(last) as Seen;
}

/** What docker (and Strata as root) gives for the script's builds and runs. */
function expectDockerSemantics(seen: Seen): void {
  // The issue's Dockerfile: nobody cannot write root's 0755 /tmp.
  expect(seen.issue.imageId).toBeUndefined();
  expect(seen.issue.logs).toBe('touch: /tmp/nobody-file: Permission denied\n');
  expect(seen.issue.error).toContain('"/bin/sh -c touch /tmp/nobody-file" did not complete successfully: exit code: 1');
  expect(seen.ok.error).toBeUndefined();
  expect(seen.layers).toEqual([
    ['file hi.txt 0:0 644', 'file id.txt 0:0 644'],
    ['dir home 0:0 755', 'dir home/nobody 65534:65534 755', 'file home/nobody/f 65534:65534 644', 'dir home/nobody/private 65534:65534 700', 'file home/nobody/private/p 65534:65534 644'],
    ['dir home 0:0 755', 'dir home/app 1000:1000 700', 'file home/app/mine 1000:1000 644', 'file home/app/secret 1000:1000 600'],
  ]);
  expect(seen.owners).toEqual({
    code: 0,
    output: '0:0 644 /etc/passwd\n0:0 644 /hi.txt\n65534:65534 644 /home/nobody/f\n65534:65534 644 /home/nobody/private/p\n1000:1000 700 /home/app\n1000:1000 600 /home/app/secret\n',
  });
  // docker lists the supplementary groups too (`groups=`), here only the primary one.
  expect(seen.asNobody).toEqual({
    code: 0,
    output: "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\nsh: can't create /etc/passwd: Permission denied\ncat: can't open '/home/app/secret': Permission denied\nmade\n",
  });
  // exec, cp both ways, export and commit of a running container (cp writes root's files, as docker's cp).
  expect(seen.files).toEqual({
    execNobody: 'touch: /etc/x: Permission denied\nmade\n',
    execRoot: '65534:65534 /home/nobody\n0:0 /home/nobody/in.txt\n65534:65534 /home/nobody/by-exec\n',
    copiedOut: 's\nmore\n',
    copiedOutMode: '600',
    exported: ['home/app/secret 1000:1000', 'home/nobody/by-exec 65534:65534', 'home/nobody/in.txt 0:0'],
    committed: ['dir home 0:0', 'dir home/nobody 65534:65534', 'file home/nobody/by-exec 65534:65534', 'file home/nobody/in.txt 0:0'],
  });
  expect(seen.storeRemoved).toBe(true);
}

describe('rootless with subordinate IDs (issue 20)', () => {
  let dir: { path: string; cleanup: () => void };
  beforeAll(() => {
    dir = tempDir('strata-idmap-');
    chmodSync(dir.path, 0o755);
  });
  afterAll(() => dir.cleanup());

  it('an ordinary user gets docker\'s permissions and owners, layers like root\'s, and can remove the store', { timeout: 120_000 }, ({ skip }) => {
    const user = asOrdinaryUser();
    const why = busyboxMissing() ?? ('skip' in user ? user.skip : undefined);
    if (why) skip(why);
    if ('skip' in user) return;
    const work = join(dir.path, 'user');
    spawnSync('mkdir', ['-p', work]);
    if (process.getuid?.() === 0) chownSync(work, user.uid, user.uid);
    const seen = runScript(user.prefix, work);
    if (seen.skipped) skip(seen.skipped);
    expect(seen.uid).toBe(user.uid);
    expect(seen.mapping).toBe('subordinate');
    expectDockerSemantics(seen);
  });

  it('root gives the same results (the reference for the rootless run)', { timeout: 120_000 }, ({ skip }) => {
    const why = busyboxMissing() ?? (process.getuid?.() !== 0 ? 'not root: the reference run is root\'s' : undefined);
    if (why) skip(why);
    const work = join(dir.path, 'root');
    spawnSync('mkdir', ['-p', work]);
    const seen = runScript([], work);
    expect(seen.mapping).toBe('root');
    expectDockerSemantics(seen);
  });
});
