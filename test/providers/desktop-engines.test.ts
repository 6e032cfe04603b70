import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { layerTree, imageLayers } from '../../src/main/engine/image/layers.ts';
import { createHandlers, type Handlers } from '../../src/main/host/handlers.ts';
import { HostSession } from '../../src/main/host/session.ts';
import { EngineLayerIndex } from '../../src/main/providers/engine-api/layer-index.ts';
import { EngineApiProvider } from '../../src/main/providers/engine-api/provider.ts';
import { createContext } from '../../src/main/providers/contexts.ts';
import type { ChangeEvent, EngineEntry, Envelope, PushMessage } from '../../src/shared/contract.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

/**
 * The desktop's engine switcher through the host (validation, envelopes, handlers) against real
 * engines: a private dockerd found through DOCKER_HOST and `podman system service` on the rootless
 * Podman socket path of a private XDG_RUNTIME_DIR. The views' data on an engine is the engine's own;
 * an image's file trees come from its export stream and equal what Strata's store computes for the
 * same layers.
 */
const PODMAN = ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => existsSync(p));
const skip = dockerdMissing() ?? busyboxMissing() ?? (!PODMAN ? 'podman is not installed (apt-get install podman)' : undefined);

function pinged(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('desktop engines: Strata store, a dockerd and podman through the host', () => {
  const tmp = tempDir('strata-engines-');
  const env: NodeJS.ProcessEnv = {};
  let d: Dockerd;
  let podman: ChildProcess | undefined;
  let engine: Engine;
  let handlers: Handlers;
  let session: HostSession;
  const changes: ChangeEvent[] = [];
  const source = join(tmp.path, 'source');

  const call = async <T>(name: string, params: unknown = {}): Promise<T> => {
    const env = await session.invoke(name, params);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code });
    return env.value as T;
  };
  const stream = async (name: string, params: unknown, events: unknown[]): Promise<Envelope<unknown>> => {
    const id = `s${Math.random().toString(36).slice(2)}`;
    streamEvents.set(id, events);
    return session.stream(id, name, params);
  };
  const streamEvents = new Map<string, unknown[]>();

  beforeAll(async () => {
    const src = Engine.open({ root: source });
    try {
      const base = join(tmp.path, 'base.tar');
      await writeBusyboxRootfs(base);
      const app = join(tmp.path, 'app.tar');
      await writeTar(app, [{ type: 'dir', name: 'opt/' }, { type: 'file', name: 'opt/app', content: 'a'.repeat(5000) }, { type: 'file', name: 'bin/.wh.true', content: '' }]);
      const patch = join(tmp.path, 'patch.tar');
      await writeTar(patch, [{ type: 'dir', name: 'opt/' }, { type: 'file', name: 'opt/app', content: 'b'.repeat(7000) }]);
      await storeImage(src, [base], { tags: ['busybox:latest'] });
      await storeImage(src, [base, app, patch], { tags: ['app:1'] });
    } finally {
      src.close();
    }
    d = await startDockerd();
    for (const ref of ['busybox:latest', 'app:1']) {
      const archive = join(tmp.path, `${ref.replace(':', '-')}.tar`);
      expect((await strata(source, ['save', '-o', archive, ref])).code).toBe(0);
      await d.docker(['load', '-i', archive]);
    }
    const runtime = join(tmp.path, 'run');
    mkdirSync(join(runtime, 'podman'), { recursive: true, mode: 0o700 });
    const podmanSocket = join(runtime, 'podman', 'podman.sock');
    podman = spawn(PODMAN!, ['--root', join(tmp.path, 'podman-root'), '--runroot', join(tmp.path, 'podman-run'), '--storage-driver', 'vfs', 'system', 'service', '--time', '0', `unix://${podmanSocket}`], { stdio: 'ignore' });
    await until('podman system service', async () => {
      if (podman!.exitCode !== null) throw new Error('podman system service exited');
      return (await pinged(podmanSocket)) ? true : undefined;
    });
    Object.assign(env, {
      HOME: tmp.path, DOCKER_CONFIG: join(tmp.path, 'docker-config'), XDG_CONFIG_HOME: join(tmp.path, 'config'), XDG_RUNTIME_DIR: runtime,
      DOCKER_HOST: `unix://${d.socket}`, PATH: process.env.PATH,
    });
    createContext({ name: 'gone', description: 'an engine that is not running', host: `unix://${join(tmp.path, 'nothing.sock')}`, skipTlsVerify: false }, env);
    engine = Engine.open({ root: join(tmp.path, 'desktop') });
    handlers = createHandlers(engine, { host: 'browser', env });
    session = new HostSession(handlers, (msg: PushMessage) => {
      if (msg.type === 'change') changes.push(msg.event);
      else streamEvents.get(msg.id)?.push(msg.event);
    });
  }, 180_000);

  afterAll(async () => {
    session?.dispose();
    handlers?.close();
    engine?.close();
    if (podman && podman.exitCode === null) {
      await new Promise<void>((resolve) => {
        podman!.once('exit', () => resolve());
        podman!.kill('SIGTERM');
      });
    }
    await d?.stop();
    tmp.cleanup();
  });

  it('lists the store and every engine found, each with its state', async () => {
    const list = await call<EngineEntry[]>('engines.list');
    const byId = new Map(list.map((e) => [e.id, e]));
    expect(list[0]).toMatchObject({ id: 'default', kind: 'strata', current: true });
    expect(byId.get('DOCKER_HOST')).toMatchObject({ kind: 'engine-api', host: `unix://${d.socket}`, status: { state: 'reachable', apiVersion: '1.41', rootless: false } });
    expect(byId.get('DOCKER_HOST')!.status).toMatchObject({ version: expect.stringMatching(/^20\.10\./) });
    expect(byId.get('podman-rootless')).toMatchObject({ source: 'podman-rootless', status: { state: 'reachable' } });
    expect(byId.get('gone')).toMatchObject({ source: 'context', status: { state: 'unreachable' } });
    await expect(call('engines.use', { id: 'gone' })).rejects.toMatchObject({ code: 'unavailable' });
    await expect(call('engines.use', { id: 'nosuch' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(call('engines.use', { id: '' })).rejects.toMatchObject({ code: 'invalid' });
    expect((await call<{ engine: { id: string } }>('app.info')).engine.id).toBe('default');
  });

  it('switching shows the engine\'s images and containers, refuses what it cannot do, and is remembered', async () => {
    await d.docker(['run', '--network', 'none', '--name', 'c1', 'busybox', 'true']);
    expect(await call<EngineEntry>('engines.use', { id: 'DOCKER_HOST' })).toMatchObject({ id: 'DOCKER_HOST', current: true });
    const info = await call<{ engine: { id: string; kind: string }; features: { pull: boolean; build: boolean; load: boolean } }>('app.info');
    expect(info.engine).toMatchObject({ id: 'DOCKER_HOST', kind: 'engine-api' });
    expect(info.features).toMatchObject({ pull: true, build: true, import: false, load: true });

    const theirs = (await d.docker(['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}}'])).stdout.trim().split('\n').sort();
    const images = await call<{ id: string; repoTags: string[]; containers: number }[]>('images.list');
    expect(images.map((i) => `${i.id} ${i.repoTags[0]}`).sort()).toEqual(theirs.map((l) => l.split(' ').slice(0, 2).join(' ')));
    expect(images.find((i) => i.repoTags.includes('busybox:latest'))!.containers).toBe(1);
    const containers = await call<{ names: string[]; state: string; exitCode: number }[]>('containers.list', { all: true });
    expect(containers).toEqual([expect.objectContaining({ names: ['c1'], state: 'exited', exitCode: 0 })]);
    const df = await call<{ usage: { layersSize: number } }>('system.df');
    expect(df.usage.layersSize).toBe((await d.api<{ LayersSize: number }>('/system/df')).LayersSize);

    await expect(call('images.import' as string, {})).rejects.toMatchObject({ code: 'invalid' }); // a stream, not a request
    const refused = await stream('images.import', { path: '/nonexistent.tar', ref: '' }, []);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringContaining('switch to the Strata store') } });
    // The Strata store is untouched: its own list is still empty.
    const again = createHandlers(engine, { host: 'browser', env });
    try {
      const s2 = new HostSession(again, () => {});
      const env2 = await s2.invoke('app.info', {});
      expect(env2).toMatchObject({ ok: true, value: { engine: { id: 'DOCKER_HOST' } } });
      s2.dispose();
    } finally {
      again.close();
    }
  });

  it('views follow the engine\'s events: a tag made with the docker CLI arrives as a change', async () => {
    await call('engines.use', { id: 'DOCKER_HOST' });
    changes.length = 0;
    await d.docker(['tag', 'busybox', 'seen:1']);
    await until('the tag event', () => changes.find((c) => c.kind === 'image' && c.action === 'tagged'));
    const listed = await call<{ repoTags: string[] }[]>('images.list');
    expect(listed.some((i) => i.repoTags.includes('seen:1'))).toBe(true);
  });

  it('an engine image\'s layers and file trees come from its export and equal the store\'s', async () => {
    await call('engines.use', { id: 'DOCKER_HOST' });
    const src = Engine.open({ root: source });
    try {
      const id = src.images.resolve('app:1');
      const layers = await call<{ diffId: string; size: number; usedBy: string[] }[]>('images.layers', { ref: 'app:1' });
      const own = imageLayers(src, id);
      expect(layers.map((l) => [l.diffId, l.size])).toEqual(own.map((l) => [l.diffId, l.size]));
      expect(layers[0]!.usedBy).toHaveLength(2); // busybox and app:1 share the base
      for (let position = 0; position < own.length; position += 1) {
        expect(await call('images.layerTree', { ref: 'app:1', position })).toEqual(layerTree(src, id, position));
      }
      const tree = await call<{ entries: { path: string; change: string; wasted: boolean }[] }>('images.layerTree', { ref: 'app:1', position: 1 });
      expect(tree.entries).toContainEqual(expect.objectContaining({ path: 'opt/app', change: 'A', wasted: true }));
      expect(tree.entries).toContainEqual(expect.objectContaining({ path: 'bin/true', change: 'D' }));
    } finally {
      src.close();
    }
    // The indexes are cached by digest: another index over the cache answers with the engine's export refused.
    const cacheDir = join(tmp.path, 'desktop', 'cache', 'engine-layers');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).toHaveLength(3);
    const provider = await EngineApiProvider.connect({ host: `unix://${d.socket}` });
    const noExport = Object.assign(Object.create(provider) as EngineApiProvider, {
      saveImages: () => Promise.reject(new Error('exported again')),
    });
    const ins = (await provider.inspectImage('busybox')) as { Id: string; RootFS: { Layers: string[] } };
    const again = await new EngineLayerIndex(cacheDir).layers(noExport, ins.Id, ins.RootFS.Layers);
    expect(again[0]!.files.some((f) => f.path === 'bin/busybox')).toBe(true);
  });

  it('copies an image from the store to podman, streamed with progress', async () => {
    await call('engines.use', { id: 'default' });
    // Into the desktop's own store first, through its load.
    expect(await stream('images.load', { path: join(tmp.path, 'busybox-latest.tar') }, [])).toMatchObject({ ok: true });
    const events: { status: string }[] = [];
    const copied = await stream('images.copy', { ref: 'busybox:latest', from: 'default', to: 'podman-rootless' }, events);
    expect(copied).toMatchObject({ ok: true, value: { loaded: [expect.stringContaining('busybox:latest')] } });
    expect(events.length).toBeGreaterThan(0);
    await call('engines.use', { id: 'podman-rootless' });
    const onPodman = await call<{ repoTags: string[] }[]>('images.list');
    expect(onPodman.some((i) => i.repoTags.some((t) => t.endsWith('busybox:latest')))).toBe(true);
    await call('engines.use', { id: 'default' });
    expect((await call<{ engine: { id: string } }>('app.info')).engine.id).toBe('default');
  });
});
