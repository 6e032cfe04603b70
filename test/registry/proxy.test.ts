import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { proxyEnvironment } from '../../src/main/engine/registry/http.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { registryMissing, startRegistry, type RunningRegistry } from './registry-server.ts';

/** A forward proxy on loopback: absolute-form HTTP requests and CONNECT tunnels, each one recorded. */
async function startForwardProxy(): Promise<{ url: string; seen: string[]; stop: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    seen.push(`${req.method} ${target.host}`);
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: import('node:stream').Duplex, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('proxy settings from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), as docker', () => {
  const missing = registryMissing();
  const saved = Object.fromEntries(['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'].map((k) => [k, process.env[k]]));
  let dir: { path: string; cleanup: () => void };
  // 127.0.0.2: loopback, but not one of the names that are never proxied.
  let remote: RunningRegistry;
  let local: RunningRegistry;

  beforeAll(async () => {
    dir = tempDir();
    if (missing) return;
    remote = await startRegistry(join(dir.path, 'remote'), { bind: '127.0.0.2' });
    local = await startRegistry(join(dir.path, 'local'));
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await remote?.stop();
    await local?.stop();
    dir.cleanup();
  });

  it('reads the variables like docker: lower case wins, loopback names are always bypassed', () => {
    expect(proxyEnvironment({ HTTPS_PROXY: 'http://p:3128', no_proxy: '.corp', NO_PROXY: 'ignored' })).toEqual({
      HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.corp,localhost,127.0.0.1,::1',
    });
    expect(proxyEnvironment({})).toEqual({ NO_PROXY: 'localhost,127.0.0.1,::1' });
  });

  it('pushes and pulls through the proxy, bypasses it for NO_PROXY hosts and for 127.0.0.1', async ({ skip }) => {
    if (missing) skip(missing);
    for (const k of Object.keys(saved)) delete process.env[k];
    const proxy = await startForwardProxy();
    const engine = Engine.open({ root: join(dir.path, 'store') });
    const credentials = new DockerConfigCredentialStore(join(dir.path, 'docker'));
    try {
      const layer = join(dir.path, 'l.tar');
      await writeTar(layer, [{ type: 'file', name: 'proxied.txt', content: 'via the proxy\n' }]);
      const img = await storeImage(engine, [layer], { tags: [`${remote.host}/p/app:1`, `${local.host}/p/app:1`] });
      process.env.HTTP_PROXY = proxy.url;
      process.env.HTTPS_PROXY = proxy.url;

      await push(engine, `${remote.host}/p/app:1`, { credentials });
      // The HTTPS attempt went through a CONNECT tunnel, the plain-HTTP API calls as proxy requests.
      expect(proxy.seen).toContain(`CONNECT ${remote.host}`);
      expect(proxy.seen.filter((s) => s === `PUT ${remote.host}`).length).toBeGreaterThanOrEqual(2); // blob and manifest
      const dst = Engine.open({ root: join(dir.path, 'dst') });
      try {
        const before = proxy.seen.length;
        expect((await pull(dst, `${remote.host}/p/app:1`, { credentials })).image.id).toBe(img.id);
        expect(proxy.seen.slice(before)).toContain(`GET ${remote.host}`);

        const seen = proxy.seen.length;
        await push(engine, `${local.host}/p/app:1`, { credentials });
        process.env.NO_PROXY = '127.0.0.2';
        expect((await pull(dst, `${remote.host}/p/app:1`, { credentials })).updated).toBe(false);
        expect(proxy.seen.length).toBe(seen);
      } finally {
        dst.close();
      }
    } finally {
      engine.close();
      await proxy.stop();
    }
  });
});
