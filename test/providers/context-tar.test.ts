import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextTar } from '../../src/main/engine/build/context-tar.ts';
import { DOCKER } from '../fixtures/dockerd.ts';
import { tempDir } from '../tmp.ts';

/**
 * The build context Strata streams to an engine's /build is the tar the docker CLI (20.10, classic
 * builder) streams for the same folder, byte for byte: a stand-in engine on a unix socket records
 * what `docker build` sends. And what a hostile context cannot make it send.
 */
async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

async function entries(buf: Buffer): Promise<{ name: string; type: string; mode: number; uid: number; gid: number; uname: string; gname: string; size: number; linkname: string | null; body: string }[]> {
  const out: Awaited<ReturnType<typeof entries>> = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        out.push({ name: h.name, type: h.type ?? '', mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0, uname: h.uname ?? '', gname: h.gname ?? '', size: h.size ?? 0, linkname: h.linkname ?? null, body: Buffer.concat(parts).toString('utf8') });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(buf);
  await done;
  return out;
}

const dockerMissing = existsSync(DOCKER) ? undefined : 'docker.io is not installed (apt-get install docker.io)';

describe('build context sent to an engine', () => {
  const tmp = tempDir('strata-context-tar-');
  const sock = join(tmp.path, 'engine.sock');
  let server: Server;
  let received: Buffer[] = [];

  beforeAll(async () => {
    // Just enough of an engine for `docker build`: the ping, then /build's body recorded.
    server = createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        if (req.url?.includes('/build')) received.push(Buffer.concat(body));
        res.writeHead(200, { 'API-Version': '1.41', 'OSType': 'linux', 'Content-Type': 'application/json', 'Docker-Experimental': 'false' });
        res.end(req.url?.includes('/build') ? '{"stream":"done\\n"}\n' : req.url?.endsWith('/_ping') ? 'OK' : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    tmp.cleanup();
  });

  function dockerSends(dir: string, args: string[] = []): Promise<Buffer> {
    received = [];
    return new Promise((resolve, reject) => {
      execFile(DOCKER, ['-H', `unix://${sock}`, 'build', ...args, dir], { env: { PATH: process.env.PATH ?? '', HOME: tmp.path, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: join(tmp.path, 'cfg') } }, (err, _out, stderr) => {
        if (err) reject(new Error(`docker build: ${stderr}`));
        else if (received.length !== 1) reject(new Error(`expected one /build, got ${received.length}`));
        else resolve(received[0]!);
      });
    });
  }

  function makeContext(name: string): string {
    const dir = join(tmp.path, name);
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    mkdirSync(join(dir, 'ignored', 'keep'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'sub', 'deeper', 'f'), 'x'.repeat(1500));
    writeFileSync(join(dir, `sub/${'n'.repeat(120)}`), 'long name\n');
    writeFileSync(join(dir, 'ignored', 'drop'), 'no\n');
    writeFileSync(join(dir, 'ignored', 'keep', 'yes'), 'yes\n');
    writeFileSync(join(dir, 'secret.key'), 'never sent\n');
    symlinkSync('a.txt', join(dir, 'link'));
    symlinkSync('/etc/passwd', join(dir, 'outside'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    writeFileSync(join(dir, '.dockerignore'), 'secret.key\nignored\n!ignored/keep\n');
    return dir;
  }

  it.skipIf(dockerMissing)('is the tar docker build sends, byte for byte', async () => {
    const dir = makeContext('ctx1');
    const mine = contextTar(dir);
    expect(mine.dockerfile).toBe('Dockerfile');
    const ours = await collect(mine.stream);
    const theirs = await dockerSends(dir);
    expect(await entries(ours)).toEqual(await entries(theirs));
    expect(ours.equals(theirs)).toBe(true);
  });

  it.skipIf(dockerMissing)('keeps the Dockerfile and .dockerignore even when ignored; -f inside the context names it', async () => {
    const dir = join(tmp.path, 'ctx2');
    mkdirSync(join(dir, 'build'), { recursive: true });
    writeFileSync(join(dir, 'build', 'app.Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, 'data'), 'd\n');
    writeFileSync(join(dir, '.dockerignore'), '*\n');
    const mine = contextTar(dir, join(dir, 'build', 'app.Dockerfile'));
    expect(mine.dockerfile).toBe('build/app.Dockerfile');
    const ours = await collect(mine.stream);
    expect((await entries(ours)).map((e) => e.name)).toEqual(['.dockerignore', 'build/app.Dockerfile']);
    expect(ours.equals(await dockerSends(dir, ['-f', join(dir, 'build', 'app.Dockerfile')]))).toBe(true);
  });

  it('a Dockerfile outside the context is added under a random name and ignored', async () => {
    const dir = join(tmp.path, 'ctx3');
    mkdirSync(dir);
    writeFileSync(join(dir, 'f'), 'f\n');
    writeFileSync(join(tmp.path, 'elsewhere.Dockerfile'), 'FROM scratch\nCOPY f /\n');
    const mine = contextTar(dir, join(tmp.path, 'elsewhere.Dockerfile'));
    expect(mine.dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
    const sent = await collect(mine.stream);
    // docker's rewriter leaves the last entry unpadded and the archive without its end blocks
    expect(sent.length % 512).toBe(`.dockerignore\n${mine.dockerfile}\n`.length);
    const list = await entries(Buffer.concat([sent, Buffer.alloc(512 - (sent.length % 512) + 1024)]));
    expect(list.map((e) => [e.name, e.body])).toEqual([['f', 'f\n'], [mine.dockerfile, 'FROM scratch\nCOPY f /\n'], ['.dockerignore', `.dockerignore\n${mine.dockerfile}\n`]]);
  });

  it('a hostile context sends links as links, never what they point at, and a FIFO never blocks', async () => {
    const dir = makeContext('ctx4');
    const list = await entries(await collect(contextTar(dir).stream));
    const byName = new Map(list.map((e) => [e.name, e]));
    expect(byName.get('outside')).toMatchObject({ type: 'symlink', linkname: '/etc/passwd', size: 0, body: '' });
    expect(byName.get('pipe')).toMatchObject({ type: 'fifo', body: '' });
    expect(byName.has('secret.key')).toBe(false);
    expect(byName.has('ignored/')).toBe(false);
    expect(byName.get('ignored/keep/yes')?.body).toBe('yes\n');
    expect(list.every((e) => e.uid === 0 && e.gid === 0)).toBe(true);
    // A Dockerfile that is a link out of the context is resolved inside it (docker would read the host's file).
    const evil = join(tmp.path, 'ctx5');
    mkdirSync(evil);
    symlinkSync('/etc/hostname', join(evil, 'Dockerfile'));
    expect(() => contextTar(evil)).toThrow(/unable to prepare context: unable to evaluate symlinks in Dockerfile path/);
    expect(() => contextTar(join(tmp.path, 'nope'))).toThrow(`unable to prepare context: path "${join(tmp.path, 'nope')}" not found`);
  });
});
