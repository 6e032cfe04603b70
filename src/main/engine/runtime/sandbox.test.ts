import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Snapshotter } from '../snapshot/snapshotter.ts';
import { changes, layerFromUpper } from '../snapshot/changes.ts';
import { runProcess, sandboxUnavailable } from './sandbox.ts';
import { storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../../../../test/fixtures/busybox.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';
import { idMapping, toContainerOwner } from '../snapshot/idmap.ts';

const ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('sandbox over overlayfs snapshots', () => {
  const fx = useTempEngine();

  const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable();

  async function setup(): Promise<{ lowerDirs: string[]; upperDir: string; workDir: string }> {
    const base = join(fx.dir.path, 'base.tar');
    const top = join(fx.dir.path, 'top.tar');
    await writeBusyboxRootfs(base);
    await writeTar(top, [
      { type: 'dir', name: 'data/' },
      { type: 'file', name: 'data/keep.txt', content: 'keep\n' },
      { type: 'file', name: 'data/old.txt', content: 'old\n' },
      { type: 'dir', name: 'data/sub/' },
      { type: 'file', name: 'data/sub/x', content: 'x\n' },
    ]);
    const img = await storeImage(fx.engine, [base, top], { tags: ['t'] });
    const lowerDirs = await new Snapshotter(fx.engine).lowerDirs(img.id);
    const upperDir = join(fx.dir.path, 'c', 'upper');
    const workDir = join(fx.dir.path, 'c', 'work');
    mkdirSync(upperDir, { recursive: true });
    mkdirSync(workDir, { recursive: true });
    return { lowerDirs, upperDir, workDir };
  }

  it('runs a process with env, cwd, hostname, a fresh /proc and exit code', async ({ skip }) => {
    if (why()) skip(why());
    const s = await setup();
    expect(s.lowerDirs).toHaveLength(2);
    const out = collect();
    const res = await runProcess({
      ...s,
      process: { args: ['sh', '-c', 'echo $FOO; pwd; hostname; ls /proc/1/exe >/dev/null && echo proc; ls /dev; exit 7'], env: [...ENV, 'FOO=bar'], cwd: '/work/dir', hostname: 'box' },
      stdout: out.stream,
    });
    expect(res.exitCode).toBe(7);
    const lines = out.text().split('\n');
    expect(lines.slice(0, 4)).toEqual(['bar', '/work/dir', 'box', 'proc']);
    expect(out.text()).toContain('null');
    expect(out.text()).toContain('urandom');
    // The working directory was created in the writable layer; nothing of the host shows up.
    expect(existsSync(join(s.upperDir, 'work/dir'))).toBe(true);
  });

  it('reports a missing command like docker', async ({ skip }) => {
    if (why()) skip(why());
    const s = await setup();
    const err = collect();
    const res = await runProcess({ ...s, process: { args: ['nosuch'], env: ENV, cwd: '/' }, stderr: err.stream });
    expect(res.exitCode).toBe(127);
    expect(err.text()).toBe('exec: "nosuch": executable file not found in $PATH\n');
    const res2 = await runProcess({ ...s, process: { args: ['/etc/passwd'], env: ENV, cwd: '/' }, stderr: err.stream });
    expect(res2.exitCode).toBe(126);
  });

  it('diff follows docker rules for added, changed, deleted files and opaque directories', async ({ skip }) => {
    if (why()) skip(why());
    const s = await setup();
    const res = await runProcess({
      ...s,
      process: { args: ['sh', '-c', 'echo new > /data/new.txt && echo more >> /data/keep.txt && rm /data/old.txt && mkdir -p /a/b && echo 1 > /a/b/c && rm -rf /data/sub && mkdir /data/sub && echo y > /data/sub/y'], env: ENV, cwd: '/' },
    });
    expect(res.exitCode).toBe(0);
    const list = await changes(s.lowerDirs, s.upperDir);
    expect(list.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'A /a', 'A /a/b', 'A /a/b/c',
      'C /data', 'C /data/keep.txt', 'A /data/new.txt', 'D /data/old.txt', 'C /data/sub', 'D /data/sub/x', 'A /data/sub/y',
    ]);
    const layer = await fx.engine.gc.withLease(() => layerFromUpper(fx.engine, s.lowerDirs, s.upperDir));
    const files = layer.files.map((f) => `${f.type} ${f.path}`);
    expect(files).toContain('whiteout data/old.txt');
    expect(files).toContain('opaque data/sub');
    expect(files).toContain('file data/sub/y');
    expect(files).toContain('file a/b/c');
    // Same upper dir, same bytes.
    const again = await fx.engine.gc.withLease(() => layerFromUpper(fx.engine, s.lowerDirs, s.upperDir));
    expect(again.diffId).toBe(layer.diffId);
  });

  it('falls back to a copy of the rootfs without overlayfs, with the same changes in the upper dir', async ({ skip }) => {
    if (why()) skip(why());
    const s = await setup();
    process.env.STRATA_ROOTFS = 'copy';
    try {
      const out = collect();
      const res = await runProcess({
        ...s,
        process: { args: ['sh', '-c', 'echo new > /data/new.txt && echo more >> /data/keep.txt && rm /data/old.txt && mkdir -p /a/b && echo 1 > /a/b/c && rm -rf /data/sub && mkdir /data/sub && echo y > /data/sub/y && cat /data/keep.txt'], env: ENV, cwd: '/' },
        stdout: out.stream,
      });
      expect(res.exitCode).toBe(0);
      expect(out.text()).toBe('keep\nmore\n');
    } finally {
      delete process.env.STRATA_ROOTFS;
    }
    // Without overlayfs a removed-and-recreated directory is seen as its entries changing.
    const list = await changes(s.lowerDirs, s.upperDir);
    expect(list.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'A /a', 'A /a/b', 'A /a/b/c',
      'C /data', 'C /data/keep.txt', 'A /data/new.txt', 'D /data/old.txt', 'C /data/sub', 'D /data/sub/x', 'A /data/sub/y',
    ]);
    // The upper dir is overlayfs's format: the next run, on overlayfs, sees the same filesystem.
    const out = collect();
    const res = await runProcess({ ...s, process: { args: ['sh', '-c', 'ls /data /data/sub; cat /a/b/c'], env: ENV, cwd: '/' }, stdout: out.stream });
    expect(res.exitCode).toBe(0);
    expect(out.text()).toBe('/data:\nkeep.txt\nnew.txt\nsub\n\n/data/sub:\ny\n1\n');
  });

  for (const mode of ['overlay', 'copy'] as const) {
    it(`a non-root user writes its own uid/gid into the upper dir, as root and with subordinate IDs (${mode})`, async ({ skip }) => {
      if (why()) skip(why());
      if (idMapping().mode === 'single') skip('rootless without subordinate IDs, one mapped ID: the user namespace\'s root owns every write (docs/containers.md)');
      const s = await setup();
      const out = collect();
      if (mode === 'copy') process.env.STRATA_ROOTFS = 'copy';
      try {
        const res = await runProcess({
          ...s,
          process: { args: ['sh', '-c', 'id -u; id -g; touch /tmp/f; mkdir /tmp/d; touch /data/keep.txt 2>/dev/null || echo denied'], env: ENV, cwd: '/', user: '65534:65534' },
          stdout: out.stream,
        });
        expect(res.exitCode).toBe(0);
      } finally {
        delete process.env.STRATA_ROOTFS;
      }
      expect(out.text()).toBe('65534\n65534\ndenied\n');
      const owner = (p: string) => { const st = statSync(join(s.upperDir, p)); return toContainerOwner(st.uid, st.gid); };
      expect(owner('tmp/f')).toEqual({ uid: 65534, gid: 65534 });
      expect(owner('tmp/d')).toEqual({ uid: 65534, gid: 65534 });
      expect((await changes(s.lowerDirs, s.upperDir)).map((c) => `${c.kind} ${c.path}`)).toEqual(['C /tmp', 'A /tmp/d', 'A /tmp/f']);
    });
  }

  it('cancel kills the whole process tree and leaves the writable layer usable', async ({ skip }) => {
    if (why()) skip(why());
    const s = await setup();
    const abort = new AbortController();
    const out = collect();
    const running = runProcess({
      ...s,
      process: { args: ['sh', '-c', 'echo partial > /data/p; (sleep 6071; echo late > /data/late) & sleep 6071 & echo $! > /tmp/child; echo ready; wait'], env: ENV, cwd: '/' },
      stdout: out.stream,
      signal: abort.signal,
    });
    while (!out.text().includes('ready')) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    const res = await running;
    expect(res).toEqual({ exitCode: 137, signal: 'SIGKILL' });
    // No process of the sandbox is left: the pid namespace died with its init.
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(left).not.toMatch(/^sleep 6071$/m);
    const again = collect();
    const next = await runProcess({ ...s, process: { args: ['sh', '-c', 'cat /data/p; test -e /data/late || echo no-late'], env: ENV, cwd: '/' }, stdout: again.stream });
    expect(next.exitCode).toBe(0);
    expect(again.text()).toBe('partial\nno-late\n');
  });

  it('an empty change set is a valid empty layer', async ({ skip }) => {
    if (why()) skip(why());
    const s = await setup();
    expect(await changes(s.lowerDirs, s.upperDir)).toEqual([]);
    const layer = await fx.engine.gc.withLease(() => layerFromUpper(fx.engine, s.lowerDirs, s.upperDir));
    expect(layer.files).toEqual([]);
    expect(readFileSync(fx.engine.content.path(layer.blob.digest)).length).toBe(1024);
  });
});
