import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { openClient } from '../../src/main/engine/registry/session.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';

/**
 * Stored registry credentials belong to the registry's own origin. A hostile (or compromised)
 * registry on 127.0.0.1 points its upload Location, its tag list's `Link: rel="next"` page and its
 * blob redirects at a second server on 127.0.0.2, which records every header it is sent: it must
 * never see an Authorization header, Basic or Bearer, nor get the client to fetch a token for it.
 */

interface Server {
  origin: string;
  host: string;
  seen: { method: string; path: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

async function listen(bind: string, handler: Handler): Promise<Server> {
  const seen: Server['seen'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization });
    // Uploads are drained before answering, as a registry does.
    req.resume();
    req.on('end', () => handler(req, res, url));
  });
  await new Promise<void>((resolve) => server.listen(0, bind, resolve));
  const host = `${bind}:${(server.address() as AddressInfo).port}`;
  return {
    origin: `http://${host}`, host, seen,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const BASIC = `Basic ${Buffer.from('u:p').toString('base64')}`;
const TOKEN = 'registry-token-for-127.0.0.1';

/** The elsewhere server: answers like a registry would (and challenges for credentials, which it must not get). */
function elsewhere(): Handler {
  return (req, res, url) => {
    if (url.pathname.startsWith('/upload/') && req.method === 'PUT') return json(res, 201, {}, { 'docker-content-digest': url.searchParams.get('digest') ?? '' });
    if (url.pathname.startsWith('/upload/') && req.method === 'PATCH') return json(res, 202, {}, { location: url.pathname, range: '0-0' });
    if (url.pathname.startsWith('/cdn/')) return json(res, 404, {});
    // A challenge naming its own token server: learning it would send the user's password there.
    res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="evil"` });
    res.end();
  };
}

/**
 * The registry on 127.0.0.1: requires `scheme` auth; its upload Location, second tag page and blob
 * redirects all name the other server.
 */
function registry(scheme: 'basic' | 'bearer', other: () => Server, self: () => Server): Handler {
  return (req, res, url) => {
    if (url.pathname === '/token') {
      if (req.headers.authorization !== BASIC) return json(res, 401, {});
      return json(res, 200, { token: TOKEN, expires_in: 300 });
    }
    const expected = scheme === 'basic' ? BASIC : `Bearer ${TOKEN}`;
    if (req.headers.authorization !== expected) {
      const challenge = scheme === 'basic' ? 'Basic realm="r"' : `Bearer realm="${self().origin}/token",service="r"`;
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge });
    }
    if (url.pathname === '/v2/') return json(res, 200, {});
    if (url.pathname.endsWith('/tags/list')) {
      return json(res, 200, { tags: ['v1'] }, { link: `<${other().origin}/v2/app/tags/list?n=1&last=v1>; rel="next"` });
    }
    if (url.pathname.endsWith('/blobs/uploads/') && req.method === 'POST') {
      return json(res, 202, {}, { location: `${other().origin}/upload/1?_state=x` });
    }
    const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (blob && req.method === 'HEAD') return json(res, 404, {});
    if (blob) {
      res.writeHead(307, { location: `${other().origin}/cdn/${blob[1]}` });
      return res.end();
    }
    if (url.pathname.includes('/manifests/') && req.method === 'PUT') return json(res, 201, {});
    if (url.pathname.includes('/manifests/')) {
      const manifest = JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
        layers: [],
      });
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      return res.end(manifest);
    }
    json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
  };
}

describe('security: registry credentials stay with the registry\'s origin', () => {
  const tmp = tempDir();
  let engine: Engine;
  let a: Server | undefined;
  let b: Server | undefined;
  let store: DockerConfigCredentialStore;

  beforeAll(async () => {
    engine = Engine.open({ root: join(tmp.path, 'store') });
    const layer = join(tmp.path, 'layer.tar');
    await writeTar(layer, [{ type: 'file', name: 'etc/motd', content: 'credentials test\n' }]);
    await storeImage(engine, [layer], { tags: ['app:latest'] });
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    await a?.stop();
    await b?.stop();
  });

  async function servers(scheme: 'basic' | 'bearer'): Promise<{ a: Server; b: Server }> {
    b = await listen('127.0.0.2', elsewhere());
    a = await listen('127.0.0.1', registry(scheme, () => b!, () => a!));
    store = new DockerConfigCredentialStore(join(tmp.path, `config-${scheme}`));
    await store.store(a.host, { username: 'u', password: 'p' });
    return { a, b };
  }

  for (const scheme of ['basic', 'bearer'] as const) {
    it(`${scheme}: the next page of a tag listing on another host gets no Authorization`, async () => {
      const { a, b } = await servers(scheme);
      const { client } = await openClient(engine, a.host, { credentials: store, retries: 0 });
      // The other host challenges for credentials: the listing fails rather than hand them over.
      await expect(client.listTags('app', ['repository:app:pull'], 1)).rejects.toThrow(/unauthorized/);
      expect(a.seen.some((r) => r.authorization !== undefined)).toBe(true); // the registry itself did get them
      expect(b.seen.map((r) => r.path)).toContain('/v2/app/tags/list?n=1&last=v1');
      expect(b.seen.filter((r) => r.authorization !== undefined)).toEqual([]);
      expect(b.seen.filter((r) => r.path.startsWith('/token'))).toEqual([]);
    });

    it(`${scheme}: a push whose upload Location names another host sends it no Authorization`, async () => {
      const { a, b } = await servers(scheme);
      engine.images.tag('app:latest', `${a.host}/app:latest`);
      await push(engine, `${a.host}/app:latest`, { credentials: store, retries: 0 });
      expect(b.seen.filter((r) => r.method === 'PUT' && r.path.startsWith('/upload/')).length).toBeGreaterThan(0);
      expect(b.seen.filter((r) => r.authorization !== undefined)).toEqual([]);
    });

    it(`${scheme}: a blob redirect to another host (a CDN) goes without Authorization`, async () => {
      const { a, b } = await servers(scheme);
      await expect(pull(engine, `${a.host}/app:latest`, { credentials: store, retries: 0 })).rejects.toThrow();
      expect(b.seen.map((r) => r.path)).toContain(`/cdn/sha256:${'a'.repeat(64)}`);
      expect(b.seen.filter((r) => r.authorization !== undefined)).toEqual([]);
    });
  }
});
