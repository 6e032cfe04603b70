import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import type { ImageRecord } from '../../src/main/engine/image/image-service.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { send } from '../../src/main/engine/registry/http.ts';
import { BlobBody } from '../../src/main/engine/registry/blob-body.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { errorCode } from '../../src/shared/errors.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { startBrokenRegistry, type BrokenRegistry } from '../registry/broken-registry.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';

/**
 * A registry that accepts connections and then says nothing, or stops half-way through a layer,
 * must not hang a pull: each stage has a deadline, idempotent requests are retried a bounded
 * number of times (docker's 5 attempts for a layer), and the pull fails with a
 * 'deadline-exceeded' error worded like docker's, leaving the store as it was.
 */

/** Accepts TCP connections and never writes a byte (the connections stay open until stop). */
async function silentServer(): Promise<{ host: string; connections: () => number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((s) => {
    count++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const FAST = { connectMs: 300, headersMs: 300, idleMs: 300 };

describe('security: a stalled registry cannot hang a pull or push', () => {
  const tmp = tempDir();
  let source: Engine;
  let image: ImageRecord;
  let target: Engine;
  let credentials: DockerConfigCredentialStore;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    source = Engine.open({ root: join(tmp.path, 'source') });
    const small = join(tmp.path, 'small.tar');
    const big = join(tmp.path, 'big.tar');
    await writeTar(small, [{ type: 'file', name: 'etc/motd', content: 'stall test\n' }]);
    await writeTar(big, [{ type: 'file', name: 'data.bin', content: randomBytes(512 * 1024) }]);
    image = await storeImage(source, [small, big]);
    credentials = new DockerConfigCredentialStore(join(tmp.path, 'docker-config'));
    target = Engine.open({ root: join(tmp.path, 'target') });
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(() => {
    target.close();
    source.close();
    tmp.cleanup();
  });

  async function expectUntouched(): Promise<void> {
    expect(target.images.all()).toEqual([]);
    expect(await target.content.list()).toEqual([]);
    expect(readdirSync(target.content.ingestDir)).toEqual([]);
  }

  it('gives up on a registry that accepts and never answers, after bounded retries', async () => {
    const silent = await silentServer();
    stops.push(silent.stop);
    const started = Date.now();
    const err = await pull(target, `${silent.host}/app:latest`, { credentials, retries: 1, backoffMs: 10, timeouts: FAST }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(errorCode(err)).toBe('deadline-exceeded');
    // HTTPS first (its TLS handshake is never answered), then plain HTTP (no response headers): 2 attempts each.
    expect((err as Error).message).toBe(`Get "http://${silent.host}/v2/": net/http: timeout awaiting response headers (no answer for 0.3s)`);
    expect(silent.connections()).toBe(4);
    expect(elapsed).toBeLessThan(10_000);
    await expectUntouched();
  });

  it('retries a layer whose download stalls half-way 5 times in all, then fails with deadline-exceeded', async () => {
    const server: BrokenRegistry = await startBrokenRegistry(source, image.id, 'stall');
    stops.push(server.stop);
    const big = source.images.layers(image.id)[1]!.blobDigest;
    const err = await pull(target, `${server.host}/stall:latest`, { credentials, backoffMs: 10, timeouts: FAST }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('deadline-exceeded');
    expect((err as Error).message).toMatch(
      new RegExp(`^downloading ${big}: Get "http://${server.host}/v2/stall/blobs/${big}": read tcp ${server.host}: i/o timeout \\(no answer for 0\\.3s\\); got \\d+ of \\d+ bytes after 5 attempts$`),
    );
    expect(server.requests.filter((r) => r.startsWith(`GET /v2/stall/blobs/${big}`))).toHaveLength(5);
    await expectUntouched();
  });

  it('a push whose upload is never answered fails with deadline-exceeded instead of hanging', async () => {
    let puts = 0;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      req.resume();
      req.on('end', () => {
        if (url.pathname === '/v2/') return res.writeHead(200).end('{}');
        if (req.method === 'HEAD') return res.writeHead(404).end();
        if (req.method === 'POST') return res.writeHead(202, { location: '/v2/app/blobs/uploads/1', 'content-length': '0' }).end();
        if (req.method === 'PUT') puts++; // the body arrives; the answer never does
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    source.images.tag(image.id, `${host}/app:latest`);
    const err = await push(source, `${host}/app:latest`, { credentials, retries: 1, backoffMs: 10, timeouts: FAST }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('deadline-exceeded');
    expect((err as Error).message).toMatch(new RegExp(`^Put "http://${host}/v2/app/blobs/uploads/1\\?digest=sha256%3A[0-9a-f]{64}": net/http: timeout awaiting response headers`));
    expect(puts).toBeGreaterThan(0);
  });

  it.each([['node:http', false], ['a reused buffer, its room lent out meanwhile', true]] as const)('a slow reader is not a stalled server (%s): a body read slower than the idle deadline arrives whole', async (_how, reuseBuffers) => {
    const body = randomBytes(4 * 1024 * 1024);
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const res = await send({ method: 'GET', url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/blob`), timeouts: { connectMs: 1000, headersMs: 1000, idleMs: 100 }, reuseBuffers });
    expect(res.body instanceof BlobBody).toBe(reuseBuffers);
    const release = res.body instanceof BlobBody ? res.body.lend() : undefined;
    let received = 0;
    let pauses = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      // Busy elsewhere for longer than the idle deadline, a few times.
      if (pauses < 3) {
        pauses++;
        await sleep(300);
      }
      release?.(received);
    }
    expect(received).toBe(body.length);
  });

  it('the CLI takes its deadlines from the environment and prints one error line', async () => {
    const silent = await silentServer();
    stops.push(silent.stop);
    const child = spawn(join(repoRoot, 'bin', 'strata'), ['--root', join(tmp.path, 'cli'), 'pull', `${silent.host}/app:latest`], {
      env: {
        ...process.env, DOCKER_CONFIG: join(tmp.path, 'docker-config'), STRATA_DEBUG: '',
        STRATA_REGISTRY_CONNECT_TIMEOUT: '0.2', STRATA_REGISTRY_HEADER_TIMEOUT: '0.2', STRATA_REGISTRY_IDLE_TIMEOUT: '0.2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    // a pull's failure is the daemon's, in docker's wording
    expect(stderr).toBe(`Error response from daemon: Get "http://${silent.host}/v2/": net/http: timeout awaiting response headers (no answer for 0.2s)\n`);
  });
});
