/**
 * RUN in the sandbox: an `echo hello` image from busybox, a failing RUN that commits nothing,
 * heredocs, USER, and cancellation that leaves the store consistent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, BuildError, type BuildEvent } from '../../src/main/engine/build/builder.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { imageFiles, imageTree, storeBusybox } from './helpers.ts';
import { idMapping } from '../../src/main/engine/snapshot/idmap.ts';

describe('RUN', () => {
  const tmp = tempDir('strata-run-');
  let engine: Engine;
  const unavailable = busyboxMissing() ?? (sandboxUnavailable() ? `RUN needs the sandbox: ${sandboxUnavailable()}` : undefined);
  beforeAll(async () => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
    if (!unavailable) await storeBusybox(engine, tmp.path);
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  function context(name: string, dockerfile: string): string {
    const dir = join(tmp.path, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    return dir;
  }

  it('builds an echo hello image from busybox and streams the output', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const events: BuildEvent[] = [];
    const dir = context('hello', 'FROM busybox\nRUN echo hello && echo hi > /greeting\nCMD ["cat", "/greeting"]\n');
    const res = await build(engine, { context: dir, tags: ['hello'], onEvent: (e) => events.push(e) });
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.text] : [])).join('');
    expect(logs).toContain('hello');
    expect((await imageFiles(engine, res.imageId)).get('greeting')).toBe('hi\n');
    const history = engine.images.readConfig(res.imageId).history!;
    expect(history.at(-2)).toMatchObject({ created_by: 'RUN /bin/sh -c echo hello && echo hi > /greeting # buildkit', comment: 'buildkit.dockerfile.v0' });
    expect(history.at(-2)!.empty_layer).toBeUndefined();
    // Cached the second time: nothing runs.
    const again: BuildEvent[] = [];
    await build(engine, { context: dir, onEvent: (e) => again.push(e) });
    expect(again.some((e) => e.type === 'log')).toBe(false);
  });

  it('fails at a failing RUN with its exit code and commits nothing', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('fail', 'FROM busybox\nRUN echo partial > /partial\nRUN echo oops >&2; exit 3\n');
    const images = engine.images.all().length;
    const err = await build(engine, { context: dir, tags: ['fail'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toBe('process "/bin/sh -c echo oops >&2; exit 3" did not complete successfully: exit code: 3');
    expect((err as BuildError).line).toBe(3);
    expect((err as BuildError).exitCode).toBe(3);
    expect(engine.images.tryResolve('fail')).toBeUndefined();
    expect(engine.images.all().length).toBe(images);
    const failedRows = engine.db.prepare("SELECT COUNT(*) AS n FROM build_cache WHERE description LIKE '%exit 3%'").get() as { n: number };
    expect(failedRows.n).toBe(0);
    expect((await engine.fsck()).problems).toEqual([]);
  });

  it('runs heredocs, sees ARGs and ENV, and applies USER and WORKDIR', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('heredoc', [
      'FROM busybox',
      'ARG GREETING=hey',
      'ENV WHO=world',
      'WORKDIR /work',
      'RUN <<EOF',
      'echo "$GREETING $WHO" > out',
      'pwd >> out',
      'EOF',
      'USER nobody',
      'RUN id -u > /tmp/uid',
      '',
    ].join('\n'));
    const res = await build(engine, { context: dir, buildArgs: { GREETING: 'hello' } });
    const files = await imageFiles(engine, res.imageId);
    expect(files.get('work/out')).toBe('hello world\n/work\n');
    expect(files.get('tmp/uid')).toBe('65534\n');
    expect(imageTree(engine, res.imageId).get('work')).toMatchObject({ type: 'dir', mode: 0o755, uid: 0 });
    expect(engine.images.readConfig(res.imageId).config!.User).toBe('nobody');
  });

  it('records the files a non-root USER writes with its uid/gid, like docker and buildah', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    if (idMapping().mode === 'single') skip('rootless without subordinate IDs, the user namespace maps one ID, so RUN writes as its root (docs/containers.md)');
    const dir = context('nobody', 'FROM busybox\nUSER 65534:65534\nRUN touch /tmp/made-by-nobody && mkdir /tmp/d && (touch /etc/nope 2>/dev/null || echo denied)\n');
    const events: BuildEvent[] = [];
    const res = await build(engine, { context: dir, onEvent: (e) => events.push(e) });
    // The user really is 65534: root's /etc stays closed to it.
    expect(events.flatMap((e) => (e.type === 'log' ? [e.text] : [])).join('')).toContain('denied');
    const top = engine.images.layers(res.imageId).at(-1)!;
    const files = new Map(engine.images.layerFiles(top.diffId).map((f) => [f.path, f]));
    expect(files.get('tmp/made-by-nobody')).toMatchObject({ type: 'file', uid: 65534, gid: 65534 });
    expect(files.get('tmp/d')).toMatchObject({ type: 'dir', uid: 65534, gid: 65534 });
    expect(files.has('etc/nope')).toBe(false);
  });

  it('cancel ends the sandboxed process and leaves the store consistent', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('cancel', 'FROM busybox\nRUN echo started; sleep 60; echo never > /never\n');
    const abort = new AbortController();
    const started = Date.now();
    const err = await build(engine, {
      context: dir, signal: abort.signal, tags: ['cancel'],
      onEvent: (e) => {
        if (e.type === 'log' && e.text.includes('started')) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toBe('build cancelled');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(engine.images.tryResolve('cancel')).toBeUndefined();
    const last = engine.db.prepare('SELECT status FROM builds ORDER BY started_at DESC LIMIT 1').get() as { status: string };
    expect(last.status).toBe('cancelled');
    expect((await engine.fsck()).problems).toEqual([]);
  });
});
