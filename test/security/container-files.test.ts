/**
 * Issue 11, container file access: `cp`, `export`, `diff`, `commit` and the Files tab read and
 * write a container's files from the host, while the container may still be running and may
 * place symlinks anywhere in its writable layer. None of them may ever follow such a link on the
 * host. Every host file an attack aims at lives in this test's private temp dir (removed after).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { packUpper } from '../../src/main/engine/snapshot/changes.ts';
import type { ContainerProcess } from '../../src/main/engine/container/container-service.ts';
import { readFile, writeFile } from '../../src/main/host/containers-host.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';
import { strata } from '../cli/run.ts';
import { suiteName } from '../fixtures/skip.ts';

const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable();

/** Why the unprivileged variant cannot run here (it needs root to drop to another user). */
function cannotDropPrivileges(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: cannot switch to an unprivileged user (the suite itself runs rootless then)';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) is not installed';
  return undefined;
}
const TRIES = 30;

/** Everything under a host directory, names and contents, as one string to search. */
function treeText(path: string): string {
  const st = lstatSync(path);
  if (st.isDirectory()) return readdirSync(path).map((n) => `${n}\n${treeText(join(path, n))}`).join('\n');
  return st.isFile() ? readFileSync(path, 'latin1') : '';
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.skipIf(why())(suiteName('container files: no host file is read or written through a container link', why()), () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let engine: Engine;
  const running: ContainerProcess[] = [];

  beforeAll(async () => {
    dir = tempDir('strata-sec-files-');
    root = join(dir.path, 'store');
    const base = join(dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    engine = Engine.open({ root });
    await storeImage(engine, [base], { tags: ['busybox'] });
  });

  afterAll(async () => {
    for (const p of running) {
      p.kill('SIGKILL');
      await p.exited.catch(() => {});
    }
    engine?.close();
    dir?.cleanup();
  });

  /** A host file an attack aims at: its content and mode must stay as they are. */
  function victim(name: string): { path: string; unchanged: () => void } {
    const path = join(dir.path, name);
    writeFileSync(path, 'host original\n');
    chmodSync(path, 0o644);
    return {
      path,
      unchanged: () => {
        expect(readFileSync(path, 'utf8')).toBe('host original\n');
        expect(statSync(path).mode & 0o7777).toBe(0o644);
      },
    };
  }

  /** Starts `script` in a fresh busybox container in this process; killed in afterAll. */
  async function runLoop(name: string, script: string): Promise<string> {
    const rec = engine.containers.create({ image: 'busybox', name, cmd: ['sh', '-c', script] });
    running.push(await engine.containers.start(rec.id));
    // Let the loop get going.
    await new Promise((r) => setTimeout(r, 300));
    return rec.id;
  }

  it('cp into a container never writes through a link the container placed at <path>.strata-tmp', async () => {
    const host = victim('cp-victim');
    const run = await strata(root, ['run', '--name', 'cp-in', 'busybox', 'sh', '-c', `echo old > /etc/target; ln -s ${host.path} /etc/target.strata-tmp`]);
    expect(run.code).toBe(0);
    const src = join(dir.path, 'cp-src.txt');
    writeFileSync(src, 'from the host\n');
    chmodSync(src, 0o755);
    const cp = await strata(root, ['cp', src, 'cp-in:/etc/target']);
    expect(cp.code).toBe(0);
    host.unchanged();
    const view = await engine.containers.rootfs('cp-in');
    expect(view.readText('/etc/target')).toBe('from the host\n');
    expect(view.stat('/etc/target')).toMatchObject({ type: 'file', mode: 0o755 });
    // The container's own link stays a link in the container.
    expect(view.stat('/etc/target.strata-tmp')).toMatchObject({ type: 'symlink', linkTarget: host.path });
  });

  it('cp of a directory into a container never writes through a link inside it', async () => {
    const host = victim('cp-dir-victim');
    const run = await strata(root, ['run', '--name', 'cp-dir', 'busybox', 'sh', '-c', `mkdir -p /in/sub; ln -s ${host.path} /in/sub/f.strata-tmp; ln -s ${dir.path} /in/up`]);
    expect(run.code).toBe(0);
    const src = join(dir.path, 'cp-tree');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'f'), 'tree file\n');
    writeFileSync(join(src, 'x'), 'x\n');
    // `/in/up` resolves inside the container (to a directory it does not have), never on the host.
    expect((await strata(root, ['cp', join(src, 'x'), `cp-dir:/in/up/cp-dir-victim`])).code).toBe(0);
    expect((await strata(root, ['cp', join(src, 'sub'), 'cp-dir:/in'])).code).toBe(0);
    host.unchanged();
    const view = await engine.containers.rootfs('cp-dir');
    expect(view.readText('/in/sub/f')).toBe('tree file\n');
    expect(view.readText(`${dir.path}/cp-dir-victim`)).toBe('x\n');
  });

  it('saving a file from the Files tab never writes through <path>.strata-tmp, nor chmods a host file to 6777', async () => {
    const host = victim('ui-victim');
    const run = await strata(root, ['run', '--name', 'ui-save', 'busybox', 'sh', '-c', `echo old > /etc/conf; chmod 6777 /etc/conf; ln -s ${host.path} /etc/conf.strata-tmp`]);
    expect(run.code).toBe(0);
    await writeFile(engine, 'ui-save', '/etc/conf', 'edited in the UI\n');
    host.unchanged();
    const view = await engine.containers.rootfs('ui-save');
    expect(view.readText('/etc/conf')).toBe('edited in the UI\n');
    expect(view.stat('/etc/conf')?.mode).toBe(0o6777);
  });

  it('the Files tab reads a FIFO, a device or a huge file without hanging or reading it all', async () => {
    const run = await strata(root, ['run', '--name', 'ui-read', 'busybox', 'sh', '-c', 'mkfifo /pipe; dd if=/dev/zero of=/big bs=1M count=3 2>/dev/null; echo hi > /small']);
    expect(run.code).toBe(0);
    await expect(readFile(engine, 'ui-read', '/pipe')).rejects.toThrow(/not a regular file/);
    expect(await readFile(engine, 'ui-read', '/big')).toEqual({ text: '', binary: true });
    expect(await readFile(engine, 'ui-read', '/small')).toEqual({ text: 'hi\n', binary: false });
  });

  describe('a running container swapping a file and a directory for symlinks to host files', () => {
    const marker = `HOST-SECRET-${randomBytes(8).toString('hex')}`;
    const markerName = `host-only-${randomBytes(8).toString('hex')}`;
    let id: string;
    const leaks = (text: string): boolean => text.includes(marker) || text.includes(markerName);

    beforeAll(async () => {
      const secret = join(dir.path, 'secret');
      writeFileSync(secret, marker);
      const secretDir = join(dir.path, 'secret-dir');
      mkdirSync(secretDir);
      writeFileSync(join(secretDir, markerName), marker);
      // The benign file has the secret's length, so a leaked body fits the header lstat gave.
      const benign = 'b'.repeat(marker.length);
      id = await runLoop('swapper', [
        'mkdir -p /race/d',
        'while :; do',
        `  ln -s ${secret} /race/t1; mv -f /race/t1 /race/f`,
        `  printf %s ${benign} > /race/t2; mv -f /race/t2 /race/f`,
        `  rm -rf /race/d; ln -s ${secretDir} /race/d`,
        `  rm -f /race/d; mkdir /race/d; printf %s ${benign} > /race/d/${'x'.repeat(markerName.length)}`,
        'done',
      ].join('\n'));
    });

    /** Runs `attempt` TRIES times: how many leaked a host file, and the errors seen. */
    async function tally(attempt: (i: number) => Promise<string>): Promise<{ leaked: number; errors: string[] }> {
      let leaked = 0;
      const errors: string[] = [];
      for (let i = 0; i < TRIES; i++) {
        try {
          if (leaks(await attempt(i))) leaked++;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
      return { leaked, errors };
    }

    it(`export never reads a host file (${TRIES} tries)`, async () => {
      const out = join(dir.path, 'race-export.tar');
      const result = await tally(async () => {
        const res = await strata(root, ['export', 'swapper', '-o', out]);
        if (res.code !== 0) throw new Error(res.stderr);
        return readFileSync(out, 'latin1');
      });
      expect(result).toEqual({ leaked: 0, errors: [] });
    });

    it(`cp out of the container never reads a host file (${TRIES} tries)`, async () => {
      const result = await tally(async (i) => {
        const out = join(dir.path, `race-cp-${i}`);
        mkdirSync(out);
        const res = await strata(root, ['cp', 'swapper:/race', out]);
        const text = treeText(out);
        if (res.code !== 0) throw new Error(`${res.stderr}${leaks(text) ? ' (and leaked)' : ''}`);
        return text;
      });
      expect(result).toEqual({ leaked: 0, errors: [] });
    });

    it(`diff and the layer a commit tars never list or read a host file (${TRIES} tries)`, async () => {
      const upper = engine.containers.upperDir(id);
      const diff = await tally(async () => (await engine.containers.changes(id)).map((c) => c.path).join('\n'));
      const layer = await tally(async () => (await collect(packUpper(upper))).toString('latin1'));
      expect({ diff, layer }).toEqual({ diff: { leaked: 0, errors: [] }, layer: { leaked: 0, errors: [] } });
    });

    it(`the Files tab never lists or reads a host file (${TRIES} tries)`, async () => {
      const result = await tally(async () => {
        const view = await engine.containers.rootfs(id);
        let names = '';
        try {
          names = view.list('/race/d').map((e) => e.name).join('\n');
        } catch (err) {
          // Listing a name that is a symlink at that moment is an error, never a host listing.
          if (!/ENOENT|ENOTDIR|no such file|not a directory/.test((err as Error).message)) throw err;
        }
        const text = await readFile(engine, id, '/race/f').then((r) => r.text, (err: Error) => {
          if (!/no such file|not a regular file|changed while/.test(err.message)) throw err;
          return '';
        });
        return `${names}\n${text}`;
      });
      expect(result).toEqual({ leaked: 0, errors: [] });
    });
  });

  it(`export of a running container that deletes files succeeds every time (${TRIES} tries)`, async () => {
    const files = Array.from({ length: 40 }, (_, i) => i).join(' ');
    await runLoop('churn', `while :; do mkdir -p /churn/a/b; for i in ${files}; do echo $i > /churn/a/$i; echo $i > /churn/a/b/$i; done; rm -rf /churn; done`);
    for (let i = 0; i < TRIES; i++) {
      const out = join(dir.path, 'churn.tar');
      const res = await strata(root, ['export', 'churn', '-o', out]);
      expect(res).toEqual({ code: 0, stdout: '', stderr: '' });
      const tar = await import('tar-stream');
      const extract = tar.extract();
      const names: string[] = [];
      const { createReadStream } = await import('node:fs');
      createReadStream(out).pipe(extract);
      for await (const e of extract) {
        names.push(e.header.name);
        e.resume();
      }
      expect(names).toContain('bin/busybox');
    }
  });

  it('as an unprivileged user (a rootless store), the same attacks touch none of the user\'s files', ({ skip }) => {
    if (cannotDropPrivileges()) skip(cannotDropPrivileges());
    const home = tempDir('strata-sec-files-rootless-');
    try {
      chmodSync(home.path, 0o777);
      const res = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(repoRoot, 'test/security/container-files-rootless.ts'), home.path],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home.path }, cwd: home.path, timeout: 110_000 },
      );
      expect(res.stderr).toBe('');
      const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { skipped?: string; uid: number; victim: string; victimMode: number; contents: unknown; leaked: number };
      if (out.skipped) skip(out.skipped);
      expect(out).toEqual({ uid: 65534, victim: 'user original\n', victimMode: 0o644, contents: { a: 'saved\n', b: 'from the host\n' }, leaked: 0 });
    } finally {
      home.cleanup();
    }
  });
});
