/**
 * The dispatcher without RUN: config fields, COPY/ADD rules, multi-stage and --target, ONBUILD,
 * errors with line numbers, determinism across fresh stores, and the cache's life cycle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, symlinkSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, BuildError } from '../../src/main/engine/build/builder.ts';
import { BuildCache, buildCacheUsage } from '../../src/main/engine/build/cache.ts';
import { diskUsage } from '../../src/main/engine/usage/disk-usage.ts';
import { busyboxMissing, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { ImageView } from '../../src/main/engine/build/image-view.ts';
import { buildWithEvents, imageFiles, imageTree, storeBusybox } from './helpers.ts';

const tmp = tempDir('strata-builder-');
let engine: Engine;
const noBusybox = busyboxMissing();

function context(name: string, dockerfile: string, files: Record<string, string> = {}): string {
  const dir = join(tmp.path, 'ctx', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

async function buildError(dir: string, opts: Partial<Parameters<typeof build>[1]> = {}): Promise<BuildError> {
  const err = await build(engine, { context: dir, ...opts }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BuildError);
  return err as BuildError;
}

beforeAll(async () => {
  engine = Engine.open({ root: join(tmp.path, 'root') });
  if (!noBusybox) await storeBusybox(engine, tmp.path);
});
afterAll(() => {
  engine.close();
  tmp.cleanup();
});

describe('config instructions', () => {
  it('writes every config field as BuildKit does', async () => {
    const dir = context('config', [
      'FROM scratch',
      'LABEL a=1 "b c"="d e"',
      'MAINTAINER Jane <jane@example.com>',
      'EXPOSE 80 53/udp 8000-8001',
      'VOLUME /data /logs',
      'USER 1000:1000',
      'STOPSIGNAL SIGQUIT',
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
      'HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD curl -f http://localhost/ || exit 1',
      'ENTRYPOINT ["/app"]',
      'CMD serve',
      'ONBUILD COPY . /src',
      '',
    ].join('\n'));
    const res = await build(engine, { context: dir });
    const img = engine.images.readConfig(res.imageId);
    expect(img.author).toBe('Jane <jane@example.com>');
    expect(img.config).toEqual({
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      WorkingDir: '/',
      Labels: { a: '1', 'b c': 'd e' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
      Volumes: { '/data': {}, '/logs': {} },
      User: '1000:1000',
      StopSignal: 'SIGQUIT',
      Shell: ['/bin/bash', '-o', 'pipefail', '-c'],
      Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], Interval: 30e9, Timeout: 3e9, Retries: 3 },
      Entrypoint: ['/app'],
      Cmd: ['/bin/bash', '-o', 'pipefail', '-c', 'serve'],
      ArgsEscaped: true,
      OnBuild: ['COPY . /src'],
    });
    expect(img.history!.map((h) => h.created_by)).toEqual([
      'LABEL a=1 b c=d e',
      'MAINTAINER Jane <jane@example.com>',
      'EXPOSE [53/udp 80/tcp 8000/tcp 8001/tcp]',
      'VOLUME [/data /logs]',
      'USER 1000:1000',
      'STOPSIGNAL SIGQUIT',
      'SHELL [/bin/bash -o pipefail -c]',
      'HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "30s" "3s" "0s" "0s" \'\\x03\'}',
      'ENTRYPOINT ["/app"]',
      'CMD ["/bin/bash" "-o" "pipefail" "-c" "serve"]',
    ]);
    expect(img.history!.every((h) => h.empty_layer === true)).toBe(true);
    expect(img.rootfs.diff_ids).toEqual([]);
  });

  it('runs ONBUILD triggers in a child build and clears them', async () => {
    const parent = context('onbuild-parent', 'FROM scratch\nONBUILD COPY marker /from-trigger\n');
    await build(engine, { context: parent, tags: ['onbuild-parent'] });
    const child = context('onbuild-child', 'FROM onbuild-parent\nLABEL child=yes\n', { marker: 'triggered' });
    const res = await build(engine, { context: child });
    expect((await imageFiles(engine, res.imageId)).get('from-trigger')).toBe('triggered');
    const img = engine.images.readConfig(res.imageId);
    expect(img.config!.OnBuild).toBeUndefined();
    expect(img.history!.map((h) => h.created_by)).toEqual(['COPY marker /from-trigger # buildkit', 'LABEL child=yes']);
  });
});

describe('COPY and ADD', () => {
  it('applies --chown by name through the image passwd/group, --chmod, and creates parents', async ({ skip }) => {
    if (noBusybox) skip(noBusybox);
    const dir = context('chown', 'FROM busybox\nCOPY --chown=nobody:nogroup --chmod=640 a.txt /deep/er/\nCOPY --chown=123 d /d\n', { 'a.txt': 'A', 'd/x': 'X' });
    const res = await build(engine, { context: dir });
    const tree = imageTree(engine, res.imageId);
    expect(tree.get('deep/er/a.txt')).toMatchObject({ type: 'file', mode: 0o640, uid: 65534, gid: 65534 });
    expect(tree.get('deep')).toMatchObject({ type: 'dir', mode: 0o755, uid: 65534, gid: 65534 });
    expect(tree.get('d/x')).toMatchObject({ uid: 123, gid: 123 });
    const err = await buildError(context('chown-bad', 'FROM busybox\nCOPY --chown=nosuchuser a /\n', { a: '' }));
    expect(err.message).toContain("can't find uid for user nosuchuser");
    expect(err.line).toBe(2);
  });

  it('resolves FROM by image ID prefix and creates WORKDIR owned by USER', async ({ skip }) => {
    if (noBusybox) skip(noBusybox);
    const id = engine.images.resolve('busybox:latest');
    const dir = context('from-id', `FROM ${id.slice(7, 19)}\nUSER nobody\nWORKDIR /home/nobody/work\nWORKDIR /tmp\n`);
    const res = await build(engine, { context: dir });
    const img = engine.images.readConfig(res.imageId);
    expect(img.rootfs.diff_ids.slice(0, 1)).toEqual(engine.images.readConfig(id).rootfs.diff_ids);
    const tree = imageTree(engine, res.imageId);
    expect(tree.get('home/nobody/work')).toMatchObject({ type: 'dir', mode: 0o755, uid: 65534, gid: 65534 });
    expect(tree.get('home')).toMatchObject({ uid: 65534 });
    // /tmp exists: an empty layer, as BuildKit's mkdir of an existing directory gives.
    expect(img.rootfs.diff_ids.at(-1)).toBe('sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
    expect(img.history!.at(-1)).toMatchObject({ created_by: 'WORKDIR /tmp' });
    expect(img.history!.at(-1)!.empty_layer).toBeUndefined();
  });

  it('unpacks local tar, gzip, bzip2, xz and zstd archives with ADD but not with COPY', async () => {
    const dir = join(tmp.path, 'ctx', 'add');
    mkdirSync(dir, { recursive: true });
    await writeTar(join(dir, 'a.tar'), [{ type: 'dir', name: 'pkg/' }, { type: 'file', name: 'pkg/file', content: 'from tar', uid: 7, gid: 8 }]);
    execFileSync('sh', ['-c', 'gzip -kc a.tar > a.tar.gz && zstd -q a.tar -o a.tar.zst && (bzip2 -kc a.tar > a.tar.bz2 || true) && (xz -kc a.tar > a.tar.xz || true)'], { cwd: dir });
    const kinds = ['tar', 'tar.gz', 'tar.zst', 'tar.bz2', 'tar.xz'].filter((k) => existsSync(join(dir, `a.${k}`)));
    writeFileSync(join(dir, 'Dockerfile'), ['FROM scratch', ...kinds.map((k) => `ADD a.${k} /${k}/`), 'COPY a.tar.gz /copied/', ''].join('\n'));
    const res = await build(engine, { context: dir });
    const files = await imageFiles(engine, res.imageId);
    for (const k of kinds) expect(files.get(`${k}/pkg/file`), k).toBe('from tar');
    expect(imageTree(engine, res.imageId).get('tar/pkg/file')).toMatchObject({ uid: 7, gid: 8 });
    expect(files.has('copied/a.tar.gz')).toBe(true);
    expect(kinds.length).toBeGreaterThanOrEqual(3);
  });

  it('copies heredoc sources as 0644 files', async () => {
    const dir = context('heredoc-copy', 'FROM scratch\nARG NAME=world\nCOPY <<EOF /etc/greeting\nhello $NAME\nEOF\nCOPY <<one.txt <<two.txt /docs/\n1\none.txt\n2\ntwo.txt\n');
    const res = await build(engine, { context: dir });
    const files = await imageFiles(engine, res.imageId);
    expect(files.get('etc/greeting')).toBe('hello world\n');
    expect(files.get('docs/one.txt')).toBe('1\n');
    expect(files.get('docs/two.txt')).toBe('2\n');
    expect(imageTree(engine, res.imageId).get('etc/greeting')).toMatchObject({ mode: 0o644, uid: 0 });
    expect(engine.images.readConfig(res.imageId).history!.at(-1)!.created_by).toBe('COPY <<one.txt <<two.txt /docs/ # buildkit');
  });

  it('fails ADD of a URL with a clear message when the host cannot be reached', async () => {
    const err = await buildError(context('add-url', 'FROM scratch\nADD http://strata-no-such-host.invalid/file.txt /\n'));
    expect(err.message).toMatch(/^ADD http:\/\/strata-no-such-host\.invalid\/file\.txt: cannot download the URL \(offline or unreachable\)/);
    expect(err.line).toBe(2);
  });

  it('follows destination rules and never reads outside the context', async () => {
    const outside = join(tmp.path, 'ctx', 'secret.txt');
    mkdirSync(join(tmp.path, 'ctx'), { recursive: true });
    writeFileSync(outside, 'secret');
    const dir = context('dest', [
      'FROM scratch',
      'COPY a b /multi/',
      'COPY a /renamed',
      'COPY ../secret.txt /escaped/',
      'COPY link /via-link',
      '',
    ].join('\n'), { a: 'A', b: 'B' });
    symlinkSync('/etc/hostname', join(dir, 'link'));
    const err = await buildError(dir);
    // ../secret.txt is cleaned to /secret.txt inside the context, which does not exist.
    expect(err.message).toContain('"/secret.txt": not found');
    expect(err.line).toBe(4);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY a b /multi/\nCOPY a /renamed\n');
    const res = await build(engine, { context: dir });
    const files = await imageFiles(engine, res.imageId);
    expect([...files.entries()].sort()).toEqual([['multi/a', 'A'], ['multi/b', 'B'], ['renamed', 'A']]);
    const bad = await buildError(context('multi-no-slash', 'FROM scratch\nCOPY a b /notadir\n', { a: '', b: '' }));
    expect(bad.message).toBe('When using COPY with more than one source file, the destination must be a directory and end with a /');
  });
});

describe('stages', () => {
  it('builds only the stages the target needs; COPY --from a stage and an image', async () => {
    const dir = context('stages', [
      'FROM scratch AS unused',
      'COPY does-not-exist /',
      'FROM scratch AS base',
      'COPY a /a',
      'FROM scratch AS final',
      'COPY --from=base /a /from-stage',
      'COPY --from=0 /nothing* /',
      'FROM scratch AS after',
      'COPY b /',
      '',
    ].join('\n'), { a: 'A', b: 'B' });
    const err = await buildError(dir, { target: 'final' });
    expect(err.message).toContain('"/does-not-exist": not found');
    expect(err.line).toBe(2);
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM scratch AS unused',
      'COPY does-not-exist /',
      'FROM scratch AS base',
      'COPY a /a',
      'FROM scratch AS final',
      'COPY --from=base /a /from-stage',
      'FROM scratch AS after',
      'COPY b /',
      '',
    ].join('\n'));
    const { result, events } = await buildWithEvents(engine, { context: dir, target: 'final', tags: ['stages:final'] });
    expect(events.some((e) => e.type === 'vertex' && e.name.includes('does-not-exist'))).toBe(false);
    expect(events.some((e) => e.type === 'vertex' && e.name === '[final 2/2] COPY --from=base /a /from-stage')).toBe(true);
    expect([...(await imageFiles(engine, result.imageId)).entries()]).toEqual([['from-stage', 'A']]);
    const fromImage = await build(engine, { context: context('from-image', 'FROM scratch\nCOPY --from=stages:final /from-stage /again\n') });
    expect((await imageFiles(engine, fromImage.imageId)).get('again')).toBe('A');
    expect((await buildError(dir, { target: 'nope' })).message).toContain('target stage "nope" could not be found');
  });
});

describe('errors', () => {
  it('reports broken Dockerfiles with line numbers', async () => {
    const cases: [string, number, string][] = [
      ['FROM scratch\nLABEL a=b\nFOO bar\n', 3, 'unknown instruction: FOO'],
      ['FROM scratch\nEXPOSE 99999\n', 2, 'invalid containerPort: 99999'],
      ['FROM scratch\nCOPY --chmod=999 a /\n', 2, 'invalid chmod parameter'],
      ['FROM scratch\n\nSTOPSIGNAL NOPE\n', 3, 'invalid signal: NOPE'],
      ['LABEL a=b\n', 1, 'no build stage in current context'],
      ['FROM no-such-image:1.0\n', 1, 'failed to resolve source metadata for docker.io/library/no-such-image:1.0'],
      ['FROM scratch\nENV A=${B:?required}\n', 2, 'B: required'],
    ];
    for (const [text, line, message] of cases) {
      const err = await buildError(context(`broken-${line}-${message.slice(0, 8).replace(/\W/g, '')}`, text, { a: '' }));
      expect(err.message, text).toContain(message);
      expect(err.line, text).toBe(line);
    }
  });
});

describe('determinism and cache', () => {
  const dockerfile = 'FROM scratch\nWORKDIR /app\nCOPY . /app/\nADD nested.tar /unpacked/\nCOPY --chmod=600 a /secret\n';

  async function contextWithTar(name: string): Promise<string> {
    const dir = context(name, dockerfile, { a: 'A', 'src/main.c': 'int main(){}', 'src/util.h': '#pragma once' });
    await writeTar(join(dir, 'nested.tar'), [{ type: 'file', name: 'n', content: 'nested' }]);
    return dir;
  }

  it('gives identical layer digests for identical inputs in two fresh stores (SOURCE_DATE_EPOCH set)', async () => {
    // Without it, BuildKit dates what a build creates at build time; with it, every time is clamped.
    const diffIds: string[][] = [];
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      for (const store of ['one', 'two']) {
        const dir = await contextWithTar(`det-${store}`);
        // Other source times in the second context: kept as they are, they would change the layers.
        if (store === 'two') for (const f of ['a', 'src', 'src/main.c', 'src/util.h', 'nested.tar']) utimesSync(join(dir, f), 1_800_000_000, 1_800_000_000);
        const e = Engine.open({ root: join(tmp.path, `det-root-${store}`) });
        try {
          const res = await build(e, { context: dir });
          diffIds.push(e.images.readConfig(res.imageId).rootfs.diff_ids);
        } finally {
          e.close();
        }
      }
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    expect(diffIds[0]!.length).toBe(4);
    expect(diffIds[0]).toEqual(diffIds[1]);
  });

  it('dates entries as BuildKit does: source mtimes kept, written directories at build time, all clamped to SOURCE_DATE_EPOCH', async () => {
    const dir = context('times', 'FROM scratch\nCOPY old new /files/\nWORKDIR /made/here\n', { old: 'o', new: 'n' });
    utimesSync(join(dir, 'old'), 1_500_000_000, 1_500_000_000);
    utimesSync(join(dir, 'new'), 1_800_000_000, 1_800_000_000);
    const times = async (): Promise<Record<string, number>> => {
      const res = await build(engine, { context: dir, noCache: true });
      const view = ImageView.of(engine, engine.images.layers(res.imageId).map((l) => l.diffId));
      return Object.fromEntries(['files', 'files/old', 'files/new', 'made', 'made/here'].map((p) => [p, view.get(p)!.mtime]));
    };
    const before = Math.floor(Date.now() / 1000);
    const plain = await times();
    const after = Math.ceil(Date.now() / 1000);
    expect(plain['files/old']).toBe(1_500_000_000);
    expect(plain['files/new']).toBe(1_800_000_000);
    for (const d of ['files', 'made', 'made/here']) {
      expect(plain[d]).toBeGreaterThanOrEqual(before);
      expect(plain[d]).toBeLessThanOrEqual(after);
    }
    process.env.SOURCE_DATE_EPOCH = '1600000000';
    try {
      expect(await times()).toEqual({ files: 1_600_000_000, 'files/old': 1_500_000_000, 'files/new': 1_600_000_000, made: 1_600_000_000, 'made/here': 1_600_000_000 });
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });

  it('survives restarts, honours --no-cache, is counted in system df and pruned by builder prune', async () => {
    const root = join(tmp.path, 'cache-root');
    const dir = await contextWithTar('cache');
    let e = Engine.open({ root });
    const first = await build(e, { context: dir, tags: ['cached:1'] });
    e.close();
    e = Engine.open({ root });
    try {
      const again = await buildWithEvents(e, { context: dir });
      expect(again.result.steps.every((s) => s.cached)).toBe(true);
      expect(again.result.imageId).toBe(first.imageId);
      const nocache = await buildWithEvents(e, { context: dir, noCache: true });
      expect(nocache.result.steps.slice(1).every((s) => !s.cached && s.reason === 'cache disabled (--no-cache)')).toBe(true);
      // Touching a file without changing it still hits (mtime is not an input).
      writeFileSync(join(dir, 'a'), 'A');
      expect((await buildWithEvents(e, { context: dir })).result.steps.every((s) => s.cached)).toBe(true);
      const usage = buildCacheUsage(e);
      expect(usage.length).toBeGreaterThanOrEqual(4);
      expect(diskUsage(e).buildCache.length).toBe(usage.length);
      // gc keeps cached layers even once no image uses them.
      e.images.remove('cached:1');
      await e.gc.collect();
      expect((await buildWithEvents(e, { context: dir })).result.steps.every((s) => s.cached)).toBe(true);
      const pruned = new BuildCache(e.db, e.events).prune(true);
      expect(pruned.keys.length).toBe(usage.length);
      expect(buildCacheUsage(e)).toEqual([]);
      const afterPrune = await buildWithEvents(e, { context: dir });
      expect(afterPrune.result.steps.filter((s) => s.cached).length).toBe(1); // only FROM
      expect((await e.fsck()).problems).toEqual([]);
    } finally {
      e.close();
    }
  });

  it('explains a miss caused by a changed base image', async () => {
    const base = context('base-v1', 'FROM scratch\nLABEL v=1\n');
    await build(engine, { context: base, tags: ['moving-base'] });
    const dir = context('on-moving-base', 'FROM moving-base\nLABEL app=1\n');
    await build(engine, { context: dir });
    writeFileSync(join(base, 'Dockerfile'), 'FROM scratch\nLABEL v=2\n');
    await build(engine, { context: base, tags: ['moving-base'] });
    const { events } = await buildWithEvents(engine, { context: dir });
    expect(events.flatMap((e) => (e.type === 'miss' ? [e.reason] : []))).toEqual([
      'FROM: base image changed since the last build',
      // BuildKit's [n/m] of the FROM that missed, as the progress shows it.
      'LABEL: parent changed because step [1/1] missed',
    ]);
  });

  it('explains --build-arg changes and instruction text changes', async () => {
    const dir = context('explain', 'FROM scratch\nARG V=1\nLABEL v=$V\n');
    await build(engine, { context: dir });
    const byArg = await buildWithEvents(engine, { context: dir, buildArgs: { V: '2' } });
    const reasons = byArg.events.flatMap((e) => (e.type === 'miss' ? [e.reason] : []));
    expect(reasons[0]).toBe('ARG: --build-arg V changed');
    // ARG is no BuildKit step (no [n/m]): the reason names it by its line.
    expect(reasons[1]).toBe('LABEL: parent changed because ARG (line 2) missed');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nARG V=1\nLABEL v=$V other=1\n');
    const byText = await buildWithEvents(engine, { context: dir });
    expect(byText.events.flatMap((e) => (e.type === 'miss' ? [e.reason] : []))).toEqual(['LABEL: instruction text changed']);
  });
});
