import * as http from 'node:http';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../../src/main/engine/engine.ts';
import type { Manifest } from '../../src/main/engine/image/oci.ts';

export type Fault =
  | 'none'
  /** The fault blob is served with one byte of file data changed (right size, valid tar, wrong digest). */
  | 'wrong-digest'
  /** The fault blob's connection is cut half-way, every time. */
  | 'truncate'
  /** The fault blob's connection is cut half-way once; Range requests are honoured after that. */
  | 'truncate-once'
  /** The fault blob trickles out slowly (for cancellation). */
  | 'slow'
  /** The fault blob's first byte comes in a packet of its own, the rest a moment later. */
  | 'first-byte-alone'
  /** The fault blob's first half is sent, then nothing more, the connection left open (every time). */
  | 'stall'
  /** The fault blob comes with chunked transfer coding (no Content-Length), in pieces of odd sizes, with a trailer. */
  | 'chunked'
  /** The fault blob's status line and headers are written one byte at a time, the body after them. */
  | 'trickled-head'
  /** The fault blob's response has 20 KiB of headers (more than any HTTP client reads). */
  | 'huge-headers'
  /** Needs basic auth (user `u`, password `p`); blobs redirect to another host name (a CDN) that must not see it. */
  | 'redirect'
  | 'unauthorized'
  | 'manifest-unknown'
  | 'server-error';

/** The tags every repository of the broken registry lists (all naming its one image). */
export const TAGS = ['v1', 'v2', 'v3'];

export interface BrokenRegistry {
  host: string;
  /** Every request as `METHOD path [range]`. */
  requests: string[];
  /** Authorization headers that reached the CDN path (should be none). */
  cdnAuthorization: string[];
  stop(): Promise<void>;
}

/**
 * A tiny distribution API server on loopback serving one image (`/v2/<any repo>/…`) straight out
 * of an engine's content store, with one kind of fault injected into the largest layer blob.
 */
export async function startBrokenRegistry(source: Engine, imageId: string, fault: Fault): Promise<BrokenRegistry> {
  const record = source.images.get(imageId)!;
  const manifestBytes = readFileSync(source.content.path(record.manifestDigest!));
  const manifest = JSON.parse(manifestBytes.toString()) as Manifest;
  const faultBlob = [...manifest.layers].sort((a, b) => b.size - a.size)[0]!.digest;
  const requests: string[] = [];
  const cdnAuthorization: string[] = [];
  let truncatedOnce = false;
  let port = 0;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (fault === 'unauthorized') {
      return json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': 'Basic realm="broken"' });
    }
    if (fault === 'server-error') return json(500, {});
    if (fault === 'redirect') {
      const cdn = /^\/cdn\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
      if (cdn) {
        if (req.headers.authorization) cdnAuthorization.push(req.headers.authorization);
        const path = source.content.path(cdn[1]!);
        return serveFile(req, res, path, statSync(path).size);
      }
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        return json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': 'Basic realm="cdn-test"' });
      }
      const blob = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
      if (blob) {
        res.writeHead(307, { location: `http://localhost:${port}/cdn/${blob[1]}` });
        return res.end();
      }
    }
    if (url.pathname === '/v2/') return json(200, {});
    const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (tagList) {
      // The distribution spec's pagination: `n` at most, after `last`, a Link to the next page.
      const n = Number(url.searchParams.get('n') ?? TAGS.length);
      const last = url.searchParams.get('last');
      const rest = last ? TAGS.filter((t) => t > last) : TAGS;
      const page = rest.slice(0, n);
      const more = rest.length > page.length;
      const link = `</v2/${tagList[1]}/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`;
      return json(200, { name: tagList[1], tags: page }, more ? { link } : {});
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) return json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    const [, , kind, ref] = m;
    if (kind === 'manifests') {
      if (fault === 'manifest-unknown') return json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      res.writeHead(200, { 'content-type': manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(manifestBytes.length) });
      return res.end(req.method === 'HEAD' ? undefined : manifestBytes);
    }
    const digest = ref!;
    if (!source.content.has(digest)) return json(404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    const path = source.content.path(digest);
    const size = statSync(path).size;
    if (digest !== faultBlob || fault === 'none') return serveFile(req, res, path, size);
    if (fault === 'wrong-digest') {
      const bytes = readFileSync(path);
      const middle = Math.floor(bytes.length / 2); // inside the file data: still a valid tar
      bytes[middle] = bytes[middle]! ^ 0xff;
      res.writeHead(200, { 'content-length': String(size) });
      return res.end(bytes);
    }
    if (fault === 'truncate' || (fault === 'truncate-once' && !truncatedOnce && !req.headers.range)) {
      truncatedOnce = true;
      res.writeHead(200, { 'content-length': String(size) });
      const half = readFileSync(path).subarray(0, Math.floor(size / 2));
      res.write(half, () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (fault === 'stall') {
      res.writeHead(200, { 'content-length': String(size) });
      res.write(readFileSync(path).subarray(0, Math.floor(size / 2)));
      return;
    }
    if (fault === 'first-byte-alone') {
      const bytes = readFileSync(path);
      res.writeHead(200, { 'content-length': String(size) });
      res.write(bytes.subarray(0, 1), () => setTimeout(() => res.end(bytes.subarray(1)), 50));
      return;
    }
    if (fault === 'chunked') {
      const bytes = readFileSync(path);
      res.writeHead(200, { 'content-type': 'application/octet-stream', trailer: 'x-checked' });
      for (let at = 0, n = 1; at < bytes.length; at += n, n = (n * 7 + 3) % 70_001) res.write(bytes.subarray(at, at + n));
      res.addTrailers({ 'x-checked': 'yes' });
      return res.end();
    }
    if (fault === 'trickled-head') {
      const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
      const socket = req.socket;
      socket.setNoDelay(true);
      const next = (i: number): void => {
        if (i < head.length) socket.write(head.subarray(i, i + 1), () => setImmediate(() => next(i + 1)));
        else socket.end(readFileSync(path));
      };
      return next(0);
    }
    if (fault === 'huge-headers') {
      res.writeHead(200, { 'content-length': String(size), 'x-padding': 'x'.repeat(20 * 1024) });
      return res.end(readFileSync(path));
    }
    if (fault === 'slow') {
      res.writeHead(200, { 'content-length': String(size) });
      const stream = createReadStream(path, { highWaterMark: 16 * 1024 });
      stream.on('data', (c) => {
        stream.pause();
        res.write(c);
        setTimeout(() => stream.resume(), 50);
      });
      stream.on('end', () => res.end());
      res.on('close', () => stream.destroy());
      return;
    }
    return serveFile(req, res, path, size);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    cdnAuthorization,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Serves a file, honouring `Range: bytes=N-` like a registry does. */
function serveFile(req: http.IncomingMessage, res: http.ServerResponse, path: string, size: number): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    res.writeHead(206, { 'content-length': String(size - start), 'content-range': `bytes ${start}-${size - 1}/${size}` });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path, { start }).pipe(res);
    return;
  }
  res.writeHead(200, { 'content-length': String(size) });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(path).pipe(res);
}
