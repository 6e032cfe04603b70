/**
 * The desktop makes a new image's snapshots ahead of need, as the CLI does (engine/snapshot/
 * prepare.ts): after a load, import, pull or copy into the store through the host's handlers, the
 * image's layers appear unpacked without anyone running the image; with STRATA_PREPARE_SNAPSHOTS=0
 * no preparer starts. Real store, real archives, a real registry and dockerd, real processes.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../engine/engine.ts';
import { saveImages, selectImages } from '../engine/archive/save.ts';
import { push } from '../engine/registry/push.ts';
import { DockerConfigCredentialStore } from '../engine/registry/credentials.ts';
import { Snapshotter } from '../engine/snapshot/snapshotter.ts';
import { sandboxUnavailable } from '../engine/runtime/sandbox.ts';
import type { Envelope } from '../../shared/contract.ts';
import { createHandlers, type Handlers } from './handlers.ts';
import { HostSession } from './session.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../../../test/fixtures/busybox.ts';
import { dockerdMissing, startDockerd } from '../../../test/fixtures/dockerd.ts';
import { registryMissing, startRegistry } from '../../../test/registry/registry-server.ts';
import { tempDir } from '../../../test/tmp.ts';

// The preparer makes snapshots only where the sandbox runs (it would make them for nothing otherwise).
const skip = sandboxUnavailable() ?? busyboxMissing();

/** Resolves once `check` holds, looking again every 50 ms for at most `ms`. */
async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** This process's children running the preparer (detached, so their parent is still this process). */
function preparers(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('prepare-main')) found.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

describe.skipIf(skip)(`the desktop prepares snapshots in the background${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  const tmp = tempDir('strata-ahead-');
  const source = join(tmp.path, 'source');
  let engine: Engine;
  let handlers: Handlers;
  let session: HostSession;
  const credentials = new DockerConfigCredentialStore(join(tmp.path, 'docker-config'));
  const env: NodeJS.ProcessEnv = { HOME: tmp.path, DOCKER_CONFIG: join(tmp.path, 'docker-config'), XDG_CONFIG_HOME: join(tmp.path, 'config'), PATH: process.env.PATH };

  /** Writes `tag` (one small layer of its own, or busybox's rootfs) into an archive saved from the source store. */
  async function archiveOf(tag: string, content?: string): Promise<string> {
    const layer = join(tmp.path, `${tag.replace(/\W/g, '-')}.layer.tar`);
    if (content === undefined) await writeBusyboxRootfs(layer);
    else await writeTar(layer, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/made-by', content }]);
    const src = Engine.open({ root: source });
    try {
      await storeImage(src, [layer], { tags: [tag] });
      const archive = join(tmp.path, `${tag.replace(/\W/g, '-')}.tar`);
      await saveImages(src, selectImages(src, [tag]), createWriteStream(archive));
      return archive;
    } finally {
      src.close();
    }
  }

  let streams = 0;
  const stream = (name: string, params: unknown): Promise<Envelope<unknown>> => session.stream(`s${++streams}`, name, params);

  /** The snapshot directory of the image's top layer in the desktop's store. */
  const topSnapshot = (ref: string): string => {
    const layers = engine.images.layers(engine.images.resolve(ref));
    return new Snapshotter(engine).dirOf(layers.at(-1)!.chainId);
  };

  /** Waits for the image's snapshots, made whole (published, no marker or scratch left), and for the preparer to exit. */
  async function preparedAhead(ref: string): Promise<string> {
    const dir = topSnapshot(ref);
    await until(`the snapshot of ${ref}`, () => existsSync(dir));
    await until('the preparer to finish', () => readdirSync(dirname(dir)).every((n) => n === 'fs') && preparers().length === 0);
    expect(new Snapshotter(engine).isPrepared(engine.images.resolve(ref))).toBe(true);
    return dir;
  }

  beforeAll(() => {
    engine = Engine.open({ root: join(tmp.path, 'desktop') });
    handlers = createHandlers(engine, { host: 'browser', env, credentials });
    session = new HostSession(handlers, () => {});
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    // A preparer still unpacking into the store must not race the store's removal.
    await until('the preparers to exit', () => preparers().length === 0).catch(() => {});
    session?.dispose();
    handlers?.close();
    engine?.close();
    tmp.cleanup();
  });

  it('a loaded image\'s layers are unpacked without anyone running it', async () => {
    const archive = await archiveOf('busybox:latest');
    vi.stubEnv('STRATA_PREPARE_SNAPSHOTS', '1');
    expect(await stream('images.load', { path: archive })).toEqual({ ok: true, value: { loaded: ['busybox:latest'] } });
    const dir = await preparedAhead('busybox:latest');
    expect(readdirSync(join(dir, 'bin'))).toContain('sh');
  });

  it('with STRATA_PREPARE_SNAPSHOTS=0 a load starts no preparer and makes no snapshot', async () => {
    const archive = await archiveOf('quiet:1', 'nobody ran me\n');
    vi.stubEnv('STRATA_PREPARE_SNAPSHOTS', '0');
    expect(await stream('images.load', { path: archive })).toEqual({ ok: true, value: { loaded: ['quiet:1'] } });
    // The preparer is spawned before the handler answers: had it been, it would be running now.
    expect(preparers()).toEqual([]);
    expect(existsSync(dirname(topSnapshot('quiet:1')))).toBe(false);
  });

  it('an imported tarball\'s layer is unpacked ahead', async () => {
    const tarball = join(tmp.path, 'imported.tar');
    await writeTar(tarball, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/made-by', content: 'import\n' }]);
    vi.stubEnv('STRATA_PREPARE_SNAPSHOTS', '1');
    expect(await stream('images.import', { path: tarball, ref: 'imported:1' })).toMatchObject({ ok: true });
    const dir = await preparedAhead('imported:1');
    expect(readFileSync(join(dir, 'etc/made-by'), 'utf8')).toBe('import\n');
  });

  it.skipIf(registryMissing())(`a pulled image's layers are unpacked ahead${registryMissing() ? ` [skipped: ${registryMissing()}]` : ''}`, async () => {
    const registry = await startRegistry(join(tmp.path, 'registry'));
    try {
      const ref = `${registry.host}/ahead/pulled:1`;
      await archiveOf(ref, 'pull\n');
      const src = Engine.open({ root: source });
      try {
        await push(src, ref, { credentials });
      } finally {
        src.close();
      }
      vi.stubEnv('STRATA_PREPARE_SNAPSHOTS', '1');
      expect(await stream('images.pull', { ref })).toMatchObject({ ok: true });
      expect(readFileSync(join(await preparedAhead(ref), 'etc/made-by'), 'utf8')).toBe('pull\n');
    } finally {
      await registry.stop();
    }
  });

  it.skipIf(dockerdMissing())(`an image copied into the store from another engine is unpacked ahead${dockerdMissing() ? ` [skipped: ${dockerdMissing()}]` : ''}`, async () => {
    const archive = await archiveOf('copied:1', 'copy\n');
    const d = await startDockerd();
    try {
      await d.docker(['load', '-i', archive]);
      env.DOCKER_HOST = `unix://${d.socket}`;
      vi.stubEnv('STRATA_PREPARE_SNAPSHOTS', '1');
      const copied = await stream('images.copy', { ref: 'copied:1', from: 'DOCKER_HOST', to: 'default' });
      expect(copied).toMatchObject({ ok: true, value: { loaded: ['copied:1'] } });
      expect(readFileSync(join(await preparedAhead('copied:1'), 'etc/made-by'), 'utf8')).toBe('copy\n');
    } finally {
      delete env.DOCKER_HOST;
      await d.stop();
    }
  });
});
