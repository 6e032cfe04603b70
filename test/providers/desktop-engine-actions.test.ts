import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { createHandlers, type Handlers } from '../../src/main/host/handlers.ts';
import { HostSession } from '../../src/main/host/session.ts';
import type { BuildEvent, BuildStepEvent, Envelope, ProgressEvent, PushMessage } from '../../src/shared/contract.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

/**
 * The desktop's build, pull, push and terminal on an Engine API provider, through the host
 * (validation, envelopes, handlers) against a private real dockerd and a real registry: the
 * context the engine receives honours `.dockerignore` and never follows a link, the panel's steps
 * say what the engine's builder did, misses carry Strata's estimate, progress has the engine's
 * bytes, and the terminal is the engine's exec (or attach) with a tty.
 */
const skip = dockerdMissing() ?? busyboxMissing() ?? registryMissing();

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('desktop actions on an engine: build, pull, push, terminal', () => {
  const tmp = tempDir('strata-engine-actions-');
  const env: NodeJS.ProcessEnv = {};
  let d: Dockerd;
  let registry: RunningRegistry;
  let engine: Engine;
  let handlers: Handlers;
  let session: HostSession;
  const streamEvents = new Map<string, unknown[]>();
  const app = join(tmp.path, 'app');

  const call = async <T>(name: string, params: unknown = {}): Promise<T> => {
    const res = await session.invoke(name, params);
    if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
    return res.value as T;
  };
  const open = <E>(name: string, params: unknown): { id: string; events: E[]; done: Promise<Envelope<unknown>> } => {
    const id = `s${Math.random().toString(36).slice(2)}`;
    const events: E[] = [];
    streamEvents.set(id, events);
    return { id, events, done: session.stream(id, name, params) };
  };
  const build = async (extra: Record<string, unknown> = {}): Promise<{ result: Envelope<unknown>; steps: Map<number, BuildStepEvent & { logs: string }>; events: BuildEvent[] }> => {
    const s = open<BuildEvent>('build.run', { path: app, dockerfile: 'Dockerfile', tags: ['app:1'], buildArgs: {}, target: '', noCache: false, ...extra });
    const result = await s.done;
    const steps = new Map<number, BuildStepEvent & { logs: string }>();
    for (const e of s.events) {
      if (e.type === 'step') steps.set(e.n, { ...steps.get(e.n), ...Object.fromEntries(Object.entries(e).filter(([, v]) => v !== '')), logs: steps.get(e.n)?.logs ?? '' } as BuildStepEvent & { logs: string });
      if (e.type === 'log') steps.get(e.n)!.logs += e.text;
    }
    return { result, steps, events: s.events };
  };

  beforeAll(async () => {
    const src = Engine.open({ root: join(tmp.path, 'source') });
    try {
      await writeBusyboxRootfs(join(tmp.path, 'base.tar'));
      await storeImage(src, [join(tmp.path, 'base.tar')], { tags: ['busybox:latest'] });
    } finally {
      src.close();
    }
    expect((await strata(join(tmp.path, 'source'), ['save', '-o', join(tmp.path, 'busybox.tar'), 'busybox:latest'])).code).toBe(0);
    [d, registry] = await Promise.all([startDockerd(), startRegistry(join(tmp.path, 'registry'))]);
    await d.docker(['load', '-i', join(tmp.path, 'busybox.tar')]);
    mkdirSync(join(app, 'secret'), { recursive: true });
    writeFileSync(join(app, 'Dockerfile'), 'FROM busybox:latest\nCOPY . /ctx/\nRUN cat /ctx/app.sh\nCMD ["sh"]\n');
    writeFileSync(join(app, 'app.sh'), 'echo v1\n');
    writeFileSync(join(app, '.dockerignore'), '*.log\nsecret\n');
    writeFileSync(join(app, 'debug.log'), 'ignored\n');
    writeFileSync(join(app, 'secret', 'key'), 'never sent\n');
    // A link out of the context goes in as a link: the engine must never get /etc/hostname's bytes.
    symlinkSync('/etc/hostname', join(app, 'outside'));
    Object.assign(env, {
      HOME: tmp.path, DOCKER_CONFIG: join(tmp.path, 'docker-config'), XDG_CONFIG_HOME: join(tmp.path, 'config'), XDG_RUNTIME_DIR: join(tmp.path, 'run'),
      DOCKER_HOST: `unix://${d.socket}`, PATH: process.env.PATH,
    });
    engine = Engine.open({ root: join(tmp.path, 'desktop') });
    handlers = createHandlers(engine, { host: 'browser', env });
    session = new HostSession(handlers, (msg: PushMessage) => {
      if (msg.type === 'stream-event') streamEvents.get(msg.id)?.push(msg.event);
    });
    await call('engines.use', { id: 'DOCKER_HOST' });
  }, 180_000);

  afterAll(async () => {
    session?.dispose();
    handlers?.close();
    engine?.close();
    await Promise.all([d?.stop(), registry?.stop()]);
    tmp.cleanup();
  });

  it('offers build, pull, push and the terminal on the engine', async () => {
    const info = await call<{ features: Record<string, boolean> }>('app.info');
    expect(info.features).toMatchObject({ build: true, pull: true, push: true, terminal: true, import: false });
  });

  it('builds the folder on the engine with .dockerignore honoured and links sent as links', async () => {
    const { result, steps } = await build();
    expect(result).toMatchObject({ ok: true });
    const id = (result as { value: { id: string } }).value.id;
    expect(id).toBe((await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'app:1'])).stdout.trim());
    expect([...steps.values()].map((s) => [s.name, s.position, s.total, s.state])).toEqual([
      ['FROM busybox:latest', 1, 4, 'done'], ['COPY . /ctx/', 2, 4, 'done'], ['RUN cat /ctx/app.sh', 3, 4, 'done'], ['CMD ["sh"]', 4, 4, 'done'],
    ]);
    expect(steps.get(3)!.logs).toBe('echo v1\n');
    // Nothing was ever built from this folder there: Strata's estimate says so, and says it is an estimate.
    expect(steps.get(2)).toMatchObject({ missSource: 'strata-estimate', missCause: { code: 'first-build', instruction: 'COPY . /ctx/' } });
    expect(steps.get(1)!.missCause).toBeUndefined();
    const listing = (await d.docker(['run', '--rm', '--network', 'none', 'app:1', 'sh', '-c', 'ls -A /ctx; readlink /ctx/outside'])).stdout.split('\n').filter(Boolean);
    expect(listing).toEqual(['.dockerignore', 'Dockerfile', 'app.sh', 'outside', '/etc/hostname']);
  }, 120_000);

  it('shows the engine\'s cache hits, and for a miss Strata\'s estimate of why', async () => {
    const again = await build();
    expect(again.result).toMatchObject({ ok: true });
    expect([...again.steps.values()].map((s) => s.state)).toEqual(['done', 'cached', 'cached', 'cached']);
    expect([...again.steps.values()].some((s) => s.missCause)).toBe(false);

    writeFileSync(join(app, 'app.sh'), 'echo v2\n');
    writeFileSync(join(app, 'debug.log'), 'ignored, so no miss\n');
    const changed = await build();
    expect(changed.result).toMatchObject({ ok: true });
    expect(changed.steps.get(2)).toMatchObject({ state: 'done', missSource: 'strata-estimate', missCause: { code: 'files-changed', files: [{ path: 'app.sh', change: 'changed' }], more: 0 } });
    expect(changed.steps.get(3)).toMatchObject({ state: 'done', missCause: { code: 'parent-missed', step: '[2/4]' } });
    expect(changed.steps.get(3)!.logs).toBe('echo v2\n');

    const none = await build({ noCache: true });
    expect(none.steps.get(4)).toMatchObject({ state: 'done', missCause: { code: 'no-cache' } });
  }, 120_000);

  it('a failing step ends the build with the engine\'s message on that step', async () => {
    writeFileSync(join(app, 'Dockerfile'), 'FROM busybox:latest\nRUN exit 7\n');
    try {
      const failed = await build();
      expect(failed.result).toMatchObject({ ok: false });
      const error = failed.events.find((e) => e.type === 'error');
      expect(error).toMatchObject({ n: 2, message: expect.stringContaining('returned a non-zero code: 7') });
    } finally {
      writeFileSync(join(app, 'Dockerfile'), 'FROM busybox:latest\nCOPY . /ctx/\nRUN cat /ctx/app.sh\nCMD ["sh"]\n');
    }
  }, 120_000);

  it('pushes and pulls through the engine with its byte progress', async () => {
    const ref = `${registry.host}/desk/busybox:1`;
    await call('images.tag', { source: 'busybox:latest', target: ref });
    const push = open<ProgressEvent>('images.push', { ref });
    expect(await push.done).toMatchObject({ ok: true });
    const layer = push.events.filter((e) => e.id !== '' && e.total !== undefined);
    expect(layer.length).toBeGreaterThan(0);
    expect(layer.at(-1)).toMatchObject({ status: 'Pushed' });
    expect(layer.at(-1)!.current).toBe(layer.at(-1)!.total);

    // Every image on the layer goes, so the pull downloads it.
    await d.docker(['container', 'prune', '-f']); // the failed build's container, left as docker leaves it
    await d.docker(['image', 'prune', '-a', '-f']);
    expect((await d.docker(['images', '-aq'])).stdout.trim()).toBe('');
    const pull = open<ProgressEvent>('images.pull', { ref });
    const pulled = await pull.done;
    expect(pulled).toMatchObject({ ok: true, value: { id: (await d.docker(['image', 'inspect', '-f', '{{.Id}}', ref])).stdout.trim() } });
    const sized = pull.events.filter((e) => e.total !== undefined && e.total > 0);
    expect(sized.some((e) => e.status === 'Downloading' || e.status === 'Extracting')).toBe(true);
    expect(sized.at(-1)!.current).toBe(sized.at(-1)!.total);
    await d.docker(['tag', ref, 'busybox:latest']);

    const missing = open<ProgressEvent>('images.pull', { ref: `${registry.host}/desk/nothing:1` });
    expect(await missing.done).toMatchObject({ ok: false, error: { code: 'not-found' } });
  }, 120_000);

  it('opens a shell in a running container with a tty (exec), and attaches to one made with -it', async () => {
    await d.docker(['run', '-d', '--network', 'none', '--name', 'runs', 'busybox', 'sleep', '300']);
    const shell = open<{ data: string }>('containers.terminal', { id: 'runs', cols: 100, rows: 30, mode: 'exec' });
    await until('the prompt', () => (shell.events.map((e) => e.data).join('').includes('#') ? true : undefined));
    session.input(shell.id, 'stty size; echo hi-$((40+2)); exit 3\r');
    expect(await shell.done).toMatchObject({ ok: true, value: { exitCode: 3 } });
    const out = shell.events.map((e) => e.data).join('');
    expect(out).toContain('hi-42');
    expect(out).toContain('30 100');

    const notTty = open('containers.terminal', { id: 'runs', cols: 80, rows: 24, mode: 'attach' });
    expect(await notTty.done).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('open a shell in it instead') } });

    await d.docker(['run', '-dit', '--network', 'none', '--name', 'interactive', 'busybox', 'sh']);
    const attached = open<{ data: string }>('containers.terminal', { id: 'interactive', cols: 80, rows: 24, mode: 'attach' });
    await until('the attach', () => (attached.events.length > 0 || (session.input(attached.id, '\r'), undefined)), 10_000);
    session.input(attached.id, 'echo at-$((1+1))\r');
    await until('the echo', () => (attached.events.map((e) => e.data).join('').includes('at-2') ? true : undefined));
    session.cancel(attached.id);
    expect(await attached.done).toMatchObject({ ok: false, error: { code: 'canceled' } });
    // Closing the view detaches: the container keeps running.
    expect((await d.docker(['inspect', '-f', '{{.State.Running}}', 'interactive'])).stdout.trim()).toBe('true');

    await d.docker(['stop', '-t', '0', 'runs']);
    const stopped = open('containers.terminal', { id: 'runs', cols: 80, rows: 24, mode: 'exec' });
    expect(await stopped.done).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('start it first') } });
  }, 120_000);

  it('copies the engine\'s image into the store, where a shell opens by exec beside the container\'s own process', async (ctx) => {
    const copy = open<ProgressEvent>('images.copy', { ref: 'busybox:latest', from: 'DOCKER_HOST', to: 'default' });
    expect(await copy.done).toMatchObject({ ok: true, value: { loaded: ['busybox:latest'] } });
    await call('engines.use', { id: 'default' });
    const info = await call<{ features: { containers: boolean; containersUnavailable?: string } }>('app.info');
    if (!info.features.containers) ctx.skip(`containers cannot run here: ${info.features.containersUnavailable}`);
    const { id } = await call<{ id: string }>('containers.create', { image: 'busybox:latest', name: 'box', command: ['sleep', '300'], env: [] });
    try {
      await call('containers.start', { id });
      const shell = open<{ data: string }>('containers.terminal', { id, cols: 90, rows: 20, mode: 'exec' });
      await until('the prompt', () => (shell.events.map((e) => e.data).join('').includes('#') ? true : undefined));
      session.input(shell.id, 'stty size; echo store-$((6*7)); exit 4\r');
      expect(await shell.done).toMatchObject({ ok: true, value: { exitCode: 4 } });
      expect(shell.events.map((e) => e.data).join('')).toMatch(/20 90[\s\S]*store-42/);
      expect((await call<{ state: string }[]>('containers.list', { all: true })).find((c) => (c as unknown as { id: string }).id === id)).toMatchObject({ state: 'running' });
    } finally {
      await call('containers.remove', { id, force: true });
      await call('engines.use', { id: 'DOCKER_HOST' });
    }
  }, 120_000);
});
