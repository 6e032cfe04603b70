import { afterEach, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import * as https from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tmp.ts';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ResponseReader, type ResponseHead } from '../../src/main/engine/registry/http-response.ts';
import { BlobBody } from '../../src/main/engine/registry/blob-body.ts';
import { send } from '../../src/main/engine/registry/http.ts';

/**
 * The blob download's own HTTP/1.1 reader and its reused buffer, against node:http servers and
 * raw sockets on loopback: framing (Content-Length, chunked with trailers, until close), a head
 * split anywhere, hostile heads, early ends, and views of the buffer never overwritten while lent.
 */
describe('registry: blob bodies read into a reused buffer', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      (s as http.Server).closeAllConnections?.();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  async function listen(server: net.Server): Promise<URL> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/blob`);
  }

  /** The exact bytes a node:http server answers with, read off a raw socket. */
  async function rawAnswer(handler: http.RequestListener): Promise<Buffer> {
    const url = await listen(http.createServer(handler));
    const socket = net.connect(Number(url.port), '127.0.0.1');
    socket.end(`GET /blob HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n\r\n`);
    const parts: Buffer[] = [];
    for await (const part of socket) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  function readAll(pieces: Buffer[]): { head: ResponseHead | undefined; body: Buffer; ended: boolean } {
    let head: ResponseHead | undefined;
    const body: Buffer[] = [];
    let ended = false;
    const reader = new ResponseReader('test', { head: (h) => { head = h; }, body: (v) => body.push(Buffer.from(v)), end: () => { ended = true; } });
    for (const p of pieces) reader.push(p);
    if (!ended) reader.close();
    return { head, body: Buffer.concat(body), ended };
  }

  it('reads a chunked answer with a trailer the same wherever a read splits it', async () => {
    const data = randomBytes(3000);
    const raw = await rawAnswer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-twice': 'a', trailer: 'x-sum' });
      for (let at = 0, n = 1; at < data.length; at += n, n *= 3) res.write(data.subarray(at, at + n));
      res.addTrailers({ 'x-sum': 'ok' });
      res.end();
    });
    expect(raw.toString('latin1')).toMatch(/transfer-encoding: chunked/i);
    for (let i = 0; i <= raw.length; i++) {
      const got = readAll([raw.subarray(0, i), raw.subarray(i)]);
      expect(got.head?.status).toBe(200);
      expect(got.head?.headers['content-type']).toBe('application/octet-stream');
      expect(got.body.equals(data)).toBe(true);
    }
    // A byte at a time, and chunk extensions, which node:http never writes.
    expect(readAll([...raw].map((b) => Buffer.from([b]))).body.equals(data)).toBe(true);
    const ext = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n');
    expect(readAll([ext]).body.toString()).toBe('abc');
  });

  it('keeps the first of repeated single headers and joins the others, as node:http does', () => {
    const head = Buffer.from('HTTP/1.1 307 Temporary Redirect\r\nLocation: /one\r\nLocation: /two\r\nVary: a\r\nVary: b\r\nContent-Length: 0\r\n\r\n');
    const got = readAll([head]);
    expect(got.head).toEqual({ status: 307, statusText: 'Temporary Redirect', headers: { location: '/one', vary: 'a, b', 'content-length': '0' } });
    expect(got.ended).toBe(true);
  });

  it('refuses hostile heads with a clear error: too large, a bad status line, a bad header, a bad length or chunk', () => {
    const huge = Buffer.from(`HTTP/1.1 200 OK\r\nX-Pad: ${'x'.repeat(16 * 1024)}\r\n\r\n`);
    expect(() => readAll([huge])).toThrow('malformed HTTP response from test: response headers exceed 16384 bytes');
    expect(() => readAll([...huge.subarray(0, 17_000)].map((b) => Buffer.from([b])))).toThrow('response headers exceed 16384 bytes');
    expect(() => readAll([Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')])).toThrow('malformed HTTP response from test: bad status line "SSH-2.0-OpenSSH"');
    expect(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n')])).toThrow('bad header line');
    expect(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')])).toThrow('bad Content-Length "-1"');
    expect(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')])).toThrow('bad chunk size');
    expect(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n')])).toThrow('a chunk is longer than its size');
    expect(() => readAll([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'0'.repeat(2000)}`)])).toThrow('a chunk-size line exceeds 1024 bytes');
  });

  it('reports a body cut short as a premature close, and a connection closed before any answer as a hang-up', () => {
    expect(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')])).toThrow(
      expect.objectContaining({ code: 'ERR_STREAM_PREMATURE_CLOSE', message: 'premature close: the response from test ended before its body did' }),
    );
    expect(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\nContent-')])).toThrow(expect.objectContaining({ code: 'ECONNRESET', message: 'socket hang up' }));
    // No length and no chunking: the body runs until the connection ends.
    expect(readAll([Buffer.from('HTTP/1.1 200 OK\r\n\r\nuntil close')]).body.toString()).toBe('until close');
  });

  it('never reads into the room of a view still lent out, and fails a body the server cuts short', async () => {
    const data = randomBytes(24 << 20);
    const url = await listen(http.createServer((req, res) => {
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': String(data.length) });
        return res.write(data.subarray(0, 1 << 20), () => res.destroy());
      }
      res.writeHead(200, { 'content-length': String(data.length) });
      res.end(data);
    }));
    const res = await send({ method: 'GET', url, reuseBuffers: true });
    expect(res.body).toBeInstanceOf(BlobBody);
    const body = res.body as BlobBody;
    const release = body.lend();
    // 3 MiB of the 4 MiB ring is lent and the reader stops until the socket does: room still lent
    // out must not have been read into (a reader that merely stopped would let 4 MiB more in).
    const pieces = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let held: { view: Buffer; at: number }[] = [];
    let received = 0;
    let copies = 0;
    const take = async (): Promise<boolean> => {
      const next = await pieces.next();
      if (next.done) return false;
      // Only what came with the head, before lend(), is a copy.
      if (next.value.buffer !== body.ring.buffer.buffer) copies++;
      held.push({ view: next.value, at: received });
      received += next.value.length;
      return true;
    };
    const giveBack = (): void => {
      for (const { view, at } of held) expect(view.equals(data.subarray(at, at + view.length))).toBe(true);
      held = [];
      release(received);
    };
    while (received < 3 << 20) await take();
    while (!body.paused) await new Promise((resolve) => setImmediate(resolve));
    giveBack();
    while (await take()) {
      if (held.reduce((n, h) => n + h.view.length, 0) >= 3 << 20) giveBack();
    }
    giveBack();
    expect(received).toBe(data.length);
    expect(copies).toBeLessThanOrEqual(1);

    const cut = await send({ method: 'GET', url: new URL('/cut', url), reuseBuffers: true });
    await expect((async () => { for await (const _ of cut.body) { /* read on */ } })()).rejects.toThrow(
      expect.objectContaining({ code: 'ERR_STREAM_PREMATURE_CLOSE' }),
    );
  });

  it('reads over TLS, verifying the certificate unless the registry is insecure', async () => {
    const dir = tempDir();
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir.path, 'key.pem'), '-out', join(dir.path, 'cert.pem'),
      ], { stdio: 'ignore' });
      const data = randomBytes(5 << 20);
      const server = https.createServer({ key: readFileSync(join(dir.path, 'key.pem')), cert: readFileSync(join(dir.path, 'cert.pem')) }, (_req, res) => {
        res.writeHead(200, { 'content-length': String(data.length) });
        res.end(data);
      });
      const url = await listen(server);
      url.protocol = 'https:';
      await expect(send({ method: 'GET', url, reuseBuffers: true })).rejects.toThrow(/self-signed certificate/);
      const res = await send({ method: 'GET', url, reuseBuffers: true, skipTlsVerify: true });
      expect(res.body).toBeInstanceOf(BlobBody);
      const parts: Buffer[] = [];
      for await (const part of res.body) parts.push(part as Buffer);
      expect(Buffer.concat(parts).equals(data)).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
