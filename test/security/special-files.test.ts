/**
 * FIFOs, devices and sockets in a build context, and a Dockerfile that is not a regular file:
 * nothing is ever read from a FIFO or a device (a build used to hang forever, a Dockerfile
 * linked to /dev/zero was read until memory ran out, a FIFO Dockerfile froze the UI server).
 * Docker's rules (checked against Docker Engine 20.10): a FIFO and a device node are copied as
 * such, a socket is skipped; `COPY --from` copies device nodes too.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteName } from '../fixtures/skip.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { build } from '../../src/main/engine/build/builder.ts';
import { Snapshotter } from '../../src/main/engine/snapshot/snapshotter.ts';
import { storeImage } from '../fixtures/busybox.ts';
import { imageTree } from '../build/helpers.ts';
import { repoRoot } from '../paths.ts';
import { isRoot, NOBODY, nobodyUnavailable, runStrata, securityTemp, STACK_TRACE, writeRawTar } from './helpers.ts';

const users = [{ who: 'the current user', user: undefined, skip: undefined }, { who: 'the unprivileged user 65534', user: NOBODY, skip: nobodyUnavailable() }];

/** A listening Unix socket at `path` (closed by the returned function). */
async function socketAt(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

function chownAll(paths: string[], user: number | undefined): void {
  if (user !== undefined) for (const p of paths) chownSync(p, user, user);
}

describe.each(users)('special files in the context, as $who (CLI)', ({ user, skip }) => {
  const tmp = securityTemp('strata-sec-special-', skip ? undefined : user);
  const root = join(tmp.path, 'root');
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    tmp.cleanup();
  });
  const run = (args: string[]) => runStrata(['--root', root, ...args], { timeoutMs: 60_000, ...(user !== undefined ? { user } : {}) });

  it('copies a FIFO as a FIFO (never reading it) and skips a socket, as docker does', async (t) => {
    if (skip) t.skip(skip);
    const ctx = join(tmp.path, 'fifo-ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY . /c/\n');
    writeFileSync(join(ctx, 'f'), 'hi\n');
    execFileSync('mkfifo', [join(ctx, 'fifo')]);
    servers.push(await socketAt(join(ctx, 'sock')));
    chownAll([ctx, join(ctx, 'Dockerfile'), join(ctx, 'f'), join(ctx, 'fifo'), join(ctx, 'sock')], user);
    const r = await run(['build', '-t', 'special:fifo', ctx]);
    expect(r.timedOut, 'the build hung on the FIFO').toBe(false);
    expect(r.code, r.stderr).toBe(0);
    const engine = Engine.open({ root });
    try {
      const tree = imageTree(engine, engine.images.resolve('special:fifo'));
      expect([...tree.keys()].sort()).toEqual(['c', 'c/Dockerfile', 'c/f', 'c/fifo']);
      expect(tree.get('c/fifo')!.type).toBe('fifo');
    } finally {
      engine.close();
    }
  });

  it('refuses a Dockerfile that is a symlink to /dev/zero, a FIFO or a device, quickly and in one line', async (t) => {
    if (skip) t.skip(skip);
    for (const [name, make] of [
      ['zero-link', (p: string) => symlinkSync('/dev/zero', p)],
      ['fifo', (p: string) => execFileSync('mkfifo', [p])],
    ] as const) {
      const ctx = join(tmp.path, `df-${name}`);
      mkdirSync(ctx);
      make(join(ctx, 'Dockerfile'));
      chownAll([ctx], user);
      const r = await run(['build', ctx]);
      expect(r.timedOut, `${name}: the build did not finish`).toBe(false);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^ERROR: failed to solve: failed to read dockerfile: /);
    }
    const ctx = join(tmp.path, 'df-explicit');
    mkdirSync(ctx);
    chownAll([ctx], user);
    const r = await run(['build', '-f', '/dev/zero', ctx]);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('ERROR: failed to solve: failed to read dockerfile: /dev/zero: not a regular file (char)\n');
  });
});

/** Major and minor numbers of the device nodes in an image's layers, as stored in the tars. */
async function deviceNumbers(engine: Engine, imageId: string): Promise<Record<string, [number, number]>> {
  const out: Record<string, [number, number]> = {};
  for (const l of engine.images.layers(imageId)) {
    const row = engine.db.prepare('SELECT blob_digest FROM layer_blobs WHERE diff_id = ?').get(l.diffId) as { blob_digest: string };
    const extract = tar.extract();
    const feeding = pipeline(engine.content.read(row.blob_digest), extract);
    for await (const entry of extract) {
      const h = entry.header;
      if (h.type === 'character-device' || h.type === 'block-device') out[h.name] = [h.devmajor ?? 0, h.devminor ?? 0];
      entry.resume();
    }
    await feeding;
  }
  return out;
}

const noMknod = isRoot ? undefined : 'creating a device node (mknod) needs root';

describe.skipIf(noMknod)(suiteName('device nodes', noMknod), () => {
  const tmp = securityTemp('strata-sec-devices-');
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('copies a device node of the context as a device node (outside /dev too), as docker does', async () => {
    const ctx = join(tmp.path, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY . /c/\n');
    execFileSync('mknod', [join(ctx, 'null'), 'c', '1', '3']);
    const res = await build(engine, { context: ctx });
    expect(imageTree(engine, res.imageId).get('c/null')).toMatchObject({ type: 'char' });
    expect(await deviceNumbers(engine, res.imageId)).toEqual({ 'c/null': [1, 3] });
  });
});

describe('devices from images and archives', () => {
  const tmp = securityTemp('strata-sec-device-copy-');
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('COPY --from copies device nodes (under /dev and elsewhere) and FIFOs', async () => {
    const layer = join(tmp.path, 'devices.tar');
    await writeRawTar(layer, [
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'disk', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
      { name: 'pipe', type: 'fifo' },
    ]);
    const image = await storeImage(engine, [layer], { tags: ['devices:1'] });
    // Unpacked for RUN and containers: only the node under /dev (covered by the sandbox's own /dev)
    // is created on the host; one elsewhere would be reachable from the container.
    const [snapshot] = await new Snapshotter(engine).lowerDirs(image.id);
    if (isRoot) expect(lstatSync(join(snapshot!, 'dev', 'null')).isCharacterDevice()).toBe(true);
    expect(existsSync(join(snapshot!, 'disk'))).toBe(false);
    expect(lstatSync(join(snapshot!, 'pipe')).isFIFO()).toBe(true);
    const ctx = join(tmp.path, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY --from=devices:1 / /all/\nCOPY --from=devices:1 /dev/null /one/null\n');
    const res = await build(engine, { context: ctx });
    const tree = imageTree(engine, res.imageId);
    expect(tree.get('all/dev/null')).toMatchObject({ type: 'char', mode: 0o666 });
    expect(tree.get('all/disk')).toMatchObject({ type: 'block', mode: 0o660 });
    expect(tree.get('all/pipe')).toMatchObject({ type: 'fifo' });
    expect(tree.get('one/null')).toMatchObject({ type: 'char' });
    expect(await deviceNumbers(engine, res.imageId)).toEqual({ 'all/dev/null': [1, 3], 'all/disk': [8, 0], 'one/null': [1, 3] });
  });

  it('ADD of a tar keeps its device nodes and FIFOs (none is created on the host)', async () => {
    const ctx = join(tmp.path, 'add-ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nADD devs.tar /x/\n');
    await writeRawTar(join(ctx, 'devs.tar'), [{ name: 'disk', type: 'block-device', devmajor: 8, devminor: 0 }, { name: 'pipe', type: 'fifo' }]);
    const res = await build(engine, { context: ctx });
    const tree = imageTree(engine, res.imageId);
    expect(tree.get('x/disk')).toMatchObject({ type: 'block' });
    expect(tree.get('x/pipe')).toMatchObject({ type: 'fifo' });
  });
});

describe('the UI server reading a context', () => {
  const tmp = securityTemp('strata-sec-ui-special-');
  afterAll(() => tmp.cleanup());

  /** inspectContext in a worker: a blocking read shows as "no answer", and is then released. */
  async function inspectInWorker(ctx: string, fifo?: string): Promise<{ error?: string } | undefined> {
    const url = pathToFileURL(join(repoRoot, 'src/main/host/build-context.ts')).href;
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      import(${JSON.stringify(url)}).then((mod) => {
        try { mod.inspectContext(workerData); parentPort.postMessage({}); }
        catch (err) { parentPort.postMessage({ error: err.message }); }
      });
    `, { eval: true, workerData: ctx });
    const answer = await new Promise<{ error?: string } | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 15_000);
      worker.once('message', (m: { error?: string }) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
    if (!answer && fifo) closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    await worker.terminate();
    return answer;
  }

  it('answers at once for a FIFO Dockerfile and for one linked to /dev/zero', async () => {
    const fifoCtx = join(tmp.path, 'fifo');
    mkdirSync(fifoCtx);
    execFileSync('mkfifo', [join(fifoCtx, 'Dockerfile')]);
    const a = await inspectInWorker(fifoCtx, join(fifoCtx, 'Dockerfile'));
    expect(a, 'the server blocked on the FIFO').toEqual({ error: 'Dockerfile: not a regular file (fifo)' });
    const zeroCtx = join(tmp.path, 'zero');
    mkdirSync(zeroCtx);
    symlinkSync('/dev/zero', join(zeroCtx, 'Dockerfile'));
    const b = await inspectInWorker(zeroCtx);
    expect(b).toEqual({ error: 'failed to read dockerfile: open Dockerfile: no such file or directory' });
  });
});
