import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { strata } from '../cli/run.ts';

/** The same changes, written once as a script run in the container and once on podman's mount. */
const CHANGES = [
  'echo more >> etc/passwd', 'rm etc/group', 'mkdir -p new/dir', 'echo n > new/dir/file', 'touch tmp/t',
  'rm -rf root', 'mkdir root', 'echo r > root/r', 'ln -s /etc/passwd new/link',
];

function podmanMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the podman cross-check uses podman mount, which needs root here';
  const res = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  return res.status === 0 ? undefined : 'podman is not installed';
}

async function tarNames(file: string): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  createReadStream(file).pipe(extract);
  for await (const e of extract) {
    names.push(e.header.name.replace(/\/$/, ''));
    e.resume();
  }
  return names.sort();
}

describe('cross-check with podman on the same base', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let podman: (args: string[]) => string;
  const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable() ?? podmanMissing();

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    if (why()) return;
    // podman on a private store, so the test neither sees nor leaves anything in the host's.
    const proot = join(dir.path, 'podman-root');
    const prun = join(dir.path, 'podman-run');
    podman = (args) => execFileSync('podman', ['--root', proot, '--runroot', prun, '--storage-driver', 'overlay', ...args], { encoding: 'utf8' });
    const base = join(dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    const engine = Engine.open({ root });
    await storeImage(engine, [base], { tags: ['crossbase:1'] });
    engine.close();
  });
  afterAll(() => {
    if (!why()) spawnSync('podman', ['--root', join(dir.path, 'podman-root'), '--runroot', join(dir.path, 'podman-run'), 'system', 'reset', '-f'], { encoding: 'utf8' });
    dir.cleanup();
  });

  it('gives the same diff lines as podman for the same changes', async ({ skip }) => {
    if (why()) skip(why());
    const archive = join(dir.path, 'crossbase.tar');
    expect((await strata(root, ['save', '-o', archive, 'crossbase:1'])).code).toBe(0);
    podman(['load', '-i', archive]);
    podman(['create', '--name', 'pc', 'docker.io/library/crossbase:1', 'true']);
    const merged = podman(['mount', 'pc']).trim();
    execFileSync('/bin/sh', ['-c', CHANGES.join(' && ')], { cwd: merged });
    const theirs = podman(['diff', 'pc']);
    podman(['umount', 'pc']);

    const run = await strata(root, ['run', '--name', 'sc', '-w', '/', 'crossbase:1', 'sh', '-c', CHANGES.join(' && ')]);
    expect(run.code).toBe(0);
    const ours = (await strata(root, ['diff', 'sc'])).stdout;
    // One known difference: podman lists a directory removed and made again (an opaque one) as
    // `D /root`; docker lists it as changed, with each entry it lost as `D` (moby's ChangesDirs,
    // test/docker/containers.test.ts), and Strata follows docker. The old /root held nothing.
    expect(theirs).toContain('D /root\n');
    expect(ours.split('\n').sort()).toEqual(theirs.replace('D /root\n', 'C /root\n').split('\n').sort());
  });

  it('an image committed by Strata loads in podman and shows the same files', async ({ skip }) => {
    if (why()) skip(why());
    expect((await strata(root, ['commit', '-m', 'cross', 'sc', 'crossout:1'])).code).toBe(0);
    const archive = join(dir.path, 'crossout.tar');
    expect((await strata(root, ['save', '-o', archive, 'crossout:1'])).code).toBe(0);
    podman(['load', '-i', archive]);
    podman(['create', '--name', 'po', 'docker.io/library/crossout:1', 'true']);
    const theirTar = join(dir.path, 'podman-export.tar');
    podman(['export', '-o', theirTar, 'po']);
    const merged = podman(['mount', 'po']).trim();
    const passwd = execFileSync('cat', [join(merged, 'etc/passwd')], { encoding: 'utf8' });
    const r = execFileSync('cat', [join(merged, 'root/r')], { encoding: 'utf8' });
    podman(['umount', 'po']);
    expect(passwd.endsWith('more\n')).toBe(true);
    expect(r).toBe('r\n');

    expect((await strata(root, ['create', '--name', 'so', 'crossout:1', 'true'])).code).toBe(0);
    const ourTar = join(dir.path, 'strata-export.tar');
    expect((await strata(root, ['export', '-o', ourTar, 'so'])).code).toBe(0);
    // podman adds its own mount points (run/.containerenv, proc, sys, dev …); compare what the image holds.
    const mountPoints = /^(dev|proc|sys|run|etc\/(hosts|hostname|resolv\.conf)|\.containerenv)(\/|$)/;
    const theirs = (await tarNames(theirTar)).filter((n) => !mountPoints.test(n));
    const ours = (await tarNames(ourTar)).filter((n) => !mountPoints.test(n));
    expect(ours).toEqual(theirs);
    expect(ours).not.toContain('etc/group');
    expect(ours).toContain('root/r');
  });
});
