import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Engine } from '../engine/engine.ts';
import { tempDir } from '../../../test/tmp.ts';
import { repoRoot } from '../../../test/paths.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../../../test/fixtures/busybox.ts';
import type { WsReply } from '../../shared/client.ts';
import type { ChangeEvent } from '../../shared/contract.ts';

/** The real `strata ui` process on a temporary store, spoken to over its WebSocket like the page does. */
describe('strata ui (browser host)', () => {
  const tmp = tempDir();
  const root = join(tmp.path, 'store');
  let proc: ChildProcess;
  let url: URL;
  let cookie: string;

  beforeAll(async () => {
    if (!busyboxMissing()) {
      const engine = Engine.open({ root });
      await writeBusyboxRootfs(join(tmp.path, 'bb.tar'));
      await storeImage(engine, [join(tmp.path, 'bb.tar')], { tags: ['busybox:latest'] });
      engine.close();
    }
    proc = spawn(join(repoRoot, 'bin', 'strata'), ['ui', '--no-open', '--root', root], { stdio: ['ignore', 'pipe', 'inherit'] });
    const printed = await new Promise<string>((resolve) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Open (http\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
    });
    url = new URL(printed);
    const res = await fetch(url, { redirect: 'manual' });
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  });

  afterAll(() => {
    proc?.kill('SIGTERM');
    tmp.cleanup();
  });

  function connect(headers: Record<string, string>, token = url.searchParams.get('token')): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws?token=${token}`, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  function call(ws: WebSocket, msg: object, onPush?: (m: WsReply) => void): Promise<WsReply & { t: 'reply' }> {
    return new Promise((resolve) => {
      const listener = (raw: Buffer): void => {
        const reply = JSON.parse(raw.toString()) as WsReply;
        if (reply.t === 'reply') {
          ws.off('message', listener);
          resolve(reply);
        } else onPush?.(reply);
      };
      ws.on('message', listener);
      ws.send(JSON.stringify(msg));
    });
  }

  it('trades the URL token for an HttpOnly cookie and refuses requests without it', async () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(cookie).toMatch(new RegExp(`^strata_session_${url.port}=[0-9a-f]{48}$`));
    expect((await fetch(`http://127.0.0.1:${url.port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${url.port}/`, { headers: { cookie } })).status).not.toBe(401);
  });

  it('refuses a WebSocket from another origin, without the cookie or without the token', async () => {
    await expect(connect({ origin: 'http://evil.example', cookie })).rejects.toThrow(/403/);
    await expect(connect({ origin: `http://127.0.0.1:${url.port}` })).rejects.toThrow(/403/);
    await expect(connect({ origin: `http://127.0.0.1:${url.port}`, cookie }, '')).rejects.toThrow(/403/);
  });

  it('answers requests in envelopes and validates arguments', async () => {
    const ws = await connect({ origin: `http://127.0.0.1:${url.port}`, cookie });
    const info = await call(ws, { t: 'invoke', seq: 1, name: 'app.info', params: {} });
    expect(info.envelope.ok && (info.envelope.value as { host: string }).host).toBe('browser');
    const bad = await call(ws, { t: 'invoke', seq: 2, name: 'images.inspect', params: { ref: 42 } });
    expect(bad.envelope).toEqual({ ok: false, error: { message: 'images.inspect.ref: expected a string', code: 'invalid' } });
    const unknown = await call(ws, { t: 'invoke', seq: 3, name: 'fs.readAnything', params: {} });
    expect(unknown.envelope.ok).toBe(false);
    const missing = await call(ws, { t: 'invoke', seq: 4, name: 'images.inspect', params: { ref: 'nope:1' } });
    expect(missing.envelope).toEqual({ ok: false, error: { message: 'No such image: nope:1', code: 'not-found' } });
    ws.close();
  });

  it('streams a build with per-step events and pushes the change events', async ({ skip }) => {
    if (busyboxMissing()) skip(busyboxMissing());
    const ctx = join(tmp.path, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox:latest\nENV A=1\nCOPY f /f\nRUN echo "hello from RUN"\n');
    writeFileSync(join(ctx, 'f'), 'x\n');
    const ws = await connect({ origin: `http://127.0.0.1:${url.port}`, cookie });
    const pushes: WsReply[] = [];
    const reply = await call(ws, {
      t: 'stream', seq: 1, id: 's1', name: 'build.run',
      params: { path: ctx, dockerfile: 'Dockerfile', tags: ['t:1'], buildArgs: {}, target: '', noCache: false },
    }, (m) => pushes.push(m));
    expect(reply.envelope.ok, JSON.stringify(reply.envelope)).toBe(true);
    const events = pushes.flatMap((p) => (p.t === 'push' && p.msg.type === 'stream-event' ? [p.msg.event as { type: string; text?: string; state?: string; name?: string }] : []));
    expect(events.some((e) => e.type === 'log' && e.text?.includes('hello from RUN'))).toBe(true);
    // BuildKit's steps (ENV is none of them), each started and done.
    expect(events.filter((e) => e.type === 'step' && e.state === 'running' && /^\[\d/.test(e.name ?? '')).map((e) => e.name)).toEqual([
      '[1/3] FROM docker.io/library/busybox:latest', '[2/3] COPY f /f', '[3/3] RUN echo "hello from RUN"',
    ]);
    expect(events.filter((e) => e.type === 'step' && e.state === 'done').length).toBeGreaterThan(3);
    expect(pushes.some((p) => p.t === 'push' && p.msg.type === 'change' && p.msg.event.kind === 'image')).toBe(true);
    ws.close();
  });

  it('cancels a stream by id: a long RUN stops and the build reports canceled', async ({ skip }) => {
    if (busyboxMissing()) skip(busyboxMissing());
    const ctx = join(tmp.path, 'slow');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox:latest\nRUN echo started && sleep 60\n');
    const ws = await connect({ origin: `http://127.0.0.1:${url.port}`, cookie });
    let sawStart = false;
    const done = call(ws, {
      t: 'stream', seq: 1, id: 'slow-1', name: 'build.run',
      params: { path: ctx, dockerfile: 'Dockerfile', tags: [], buildArgs: {}, target: '', noCache: true },
    }, (m) => {
      if (m.t === 'push' && m.msg.type === 'stream-event' && JSON.stringify(m.msg.event).includes('started') && !sawStart) {
        sawStart = true;
        ws.send(JSON.stringify({ t: 'cancel', id: 'slow-1' }));
      }
    });
    const reply = await done;
    expect(sawStart).toBe(true);
    expect(reply.envelope).toEqual({ ok: false, error: { message: 'canceled', code: 'canceled' } });
    ws.close();
  });

  it.skipIf(busyboxMissing())('pushes a change another process makes to the store within a second', async () => {
    const ws = await connect({ origin: `http://127.0.0.1:${url.port}`, cookie });
    const changes: { at: number; event: ChangeEvent }[] = [];
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as WsReply;
      if (m.t === 'push' && m.msg.type === 'change') changes.push({ at: performance.now(), event: m.msg.event });
    });
    // The session subscribes as the socket opens; one request makes sure it is in place.
    await call(ws, { t: 'invoke', seq: 1, name: 'images.list', params: {} });
    const cli = (args: string[]): Promise<number> => new Promise((resolve, reject) => {
      const p = spawn(join(repoRoot, 'bin', 'strata'), ['--root', root, ...args], { stdio: 'ignore' });
      p.once('error', reject);
      p.once('exit', () => resolve(performance.now()));
    });
    const waitFor = async (pred: (e: ChangeEvent) => boolean): Promise<number> => {
      for (let i = 0; i < 100; i++) {
        const hit = changes.find((c) => pred(c.event));
        if (hit) return hit.at;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no such change pushed; got ${JSON.stringify(changes.map((c) => c.event))}`);
    };
    const tagged = await cli(['tag', 'busybox:latest', 'live-check:v1']);
    const seenTag = await waitFor((e) => e.kind === 'image' && e.action === 'tagged' && e.ref === 'live-check:v1');
    const untagged = await cli(['rmi', 'live-check:v1']);
    const seenUntag = await waitFor((e) => e.kind === 'image' && e.action === 'untagged');
    // Measured from the writer's exit: its commit happened before it.
    expect(seenTag - tagged).toBeLessThan(1000);
    expect(seenUntag - untagged).toBeLessThan(1000);
    ws.close();
  });
});
