import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import * as tar from 'tar-stream';
import { Engine } from '../../src/main/engine/engine.ts';
import { main } from '../../src/main/cli/main.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';

/** Runs the CLI with binary stdin and stdout. */
async function cli(root: string, args: string[], stdin: Buffer = Buffer.alloc(0)): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  let stderr = '';
  const stdout = new Writable({ write(chunk: Buffer, _e, cb) { out.push(Buffer.from(chunk)); cb(); } });
  const err = new Writable({ write(chunk, _e, cb) { stderr += chunk.toString(); cb(); } });
  const input = new PassThrough();
  input.end(stdin);
  const code = await main(['--root', root, ...args], { stdout, stderr: err, stdin: input });
  return { code, stdout: Buffer.concat(out), stderr };
}

async function entriesOf(archive: Buffer): Promise<{ name: string; type: string; body: string; linkname?: string }[]> {
  const extract = tar.extract();
  Readable.from([archive]).pipe(extract);
  const found = [];
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    found.push({ name: e.header.name, type: e.header.type ?? '', body: Buffer.concat(chunks).toString(), ...(e.header.linkname ? { linkname: e.header.linkname } : {}) });
  }
  return found;
}

async function tarOf(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}), mode: e.type === 'directory' ? 0o755 : 0o644 }, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `cp` with `-`: a tar on stdout or stdin, as docker does. Needs no sandbox: cp reads and writes the container's layers. */
describe('strata cp with -', () => {
  const tmp = tempDir();
  const root = join(tmp.path, 'store');

  beforeAll(async () => {
    const layer = join(tmp.path, 'layer.tar');
    await writeTar(layer, [
      { type: 'dir', name: 'in' },
      { type: 'file', name: 'in/hello.txt', content: 'hello\n' },
      { type: 'symlink', name: 'in/link', target: 'hello.txt' },
      { type: 'dir', name: 'in/sub' },
      { type: 'file', name: 'in/sub/s', content: 's\n' },
      { type: 'dir', name: 'dest' },
      { type: 'dir', name: 'etc' },
      { type: 'file', name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
    ]);
    const engine = Engine.open({ root });
    await storeImage(engine, [layer], { tags: ['tiny:latest'] });
    engine.close();
    expect((await cli(root, ['create', '--name', 'box', 'tiny', 'true'])).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('CONTAINER:PATH - writes a tar of PATH to stdout and nothing else', async () => {
    const res = await cli(root, ['cp', 'box:/in', '-']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(process.cwd(), '-'))).toBe(false);
    const entries = await entriesOf(res.stdout);
    expect(entries.map((e) => `${e.type} ${e.name}`)).toEqual(['directory in/', 'file in/hello.txt', 'symlink in/link', 'directory in/sub/', 'file in/sub/s']);
    expect(entries.find((e) => e.name === 'in/hello.txt')?.body).toBe('hello\n');
    expect(entries.find((e) => e.name === 'in/link')?.linkname).toBe('hello.txt');
    const file = await entriesOf((await cli(root, ['cp', 'box:/etc/passwd', '-'])).stdout);
    expect(file).toEqual([{ name: 'passwd', type: 'file', body: 'root:x:0:0:root:/root:/bin/sh\n' }]);
  });

  it('- CONTAINER:DIR extracts a tar from stdin into the container', async () => {
    const archive = await tarOf([
      { name: 'new/', type: 'directory' },
      { name: 'new/a.txt', body: 'from stdin\n' },
      { name: 'new/l', type: 'symlink', linkname: 'a.txt' },
    ]);
    const res = await cli(root, ['cp', '-', 'box:/dest'], archive);
    expect(res).toMatchObject({ code: 0, stderr: 'Successfully copied 11B to box:/dest\n' });
    expect((await cli(root, ['diff', 'box'])).stdout.toString()).toBe('C /dest\nA /dest/new\nA /dest/new/a.txt\nA /dest/new/l\n');
    const out = join(tmp.path, 'out');
    expect((await cli(root, ['cp', 'box:/dest/new', out])).code).toBe(0);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('from stdin\n');
    expect(readlinkSync(join(out, 'l'))).toBe('a.txt');
  });

  it('refuses a destination that is not a directory, and entries that climb out', async () => {
    expect(await cli(root, ['cp', '-', 'box:/etc/passwd'], await tarOf([{ name: 'x', body: 'x' }]))).toMatchObject({
      code: 1, stderr: 'Error: destination "box:/etc/passwd" must be a directory\n',
    });
    const hostile = await cli(root, ['cp', '-', 'box:/dest'], await tarOf([{ name: '../../escape', body: 'x' }]));
    expect(hostile).toMatchObject({ code: 1, stderr: 'Error: refusing path that escapes the root: ../../escape\n' });
    expect((await cli(root, ['diff', 'box'])).stdout.toString()).not.toContain('escape');
  });
});
