/**
 * The push parser that indexes an engine's export reads GNU tar's and Go's archives (ustar, GNU
 * long names, pax records, links, devices' headers) into the same file index as tar-stream does
 * for the store's own layers, however the bytes are cut into chunks; a damaged archive is a clear
 * error.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import * as tar from 'tar-stream';
import type { LayerFile } from '../../src/shared/types.ts';
import { fileFromHeader } from '../../src/main/engine/layer/file-index.ts';
import { TarScanner } from '../../src/main/engine/layer/tar-scan.ts';
import { tempDir } from '../tmp.ts';

const dir = tempDir('strata-tar-scan-');
afterAll(() => dir.cleanup());

/** A tree with what layers hold: a long path, a long link target, a non-ASCII name, links, a whiteout. */
function makeTree(): string {
  const root = join(dir.path, 'tree');
  const deep = join(root, 'd'.repeat(90), 'e'.repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, `${'f'.repeat(120)}.txt`), 'x'.repeat(1500));
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'édition-한글.txt'), 'y'.repeat(512));
  linkSync(join(root, 'empty'), join(root, 'hard'));
  symlinkSync(`/${'t'.repeat(150)}`, join(root, 'long-link'));
  writeFileSync(join(root, '.wh.gone'), '');
  return root;
}

function gnuTar(format: string): Buffer {
  const root = makeTreeOnce();
  return execFileSync('tar', ['--format', format, '--sort=name', '-C', root, '-cf', '-', '.'], { maxBuffer: 1 << 26 });
}

let tree: string | undefined;
const makeTreeOnce = (): string => (tree ??= makeTree());

async function viaTarStream(bytes: Buffer): Promise<LayerFile[]> {
  const extract = tar.extract();
  const files: LayerFile[] = [];
  Readable.from([bytes]).pipe(extract);
  for await (const entry of extract) {
    files.push(fileFromHeader(entry.header));
    entry.resume();
  }
  return files;
}

function viaScanner(bytes: Buffer, chunk: number): { files: LayerFile[]; bodyBytes: number } {
  const files: LayerFile[] = [];
  let bodyBytes = 0;
  const scan = new TarScanner({ entry: (h) => files.push(fileFromHeader(h)), data: (c) => (bodyBytes += c.length) });
  for (let i = 0; i < bytes.length && !scan.ended; i += chunk) scan.push(bytes.subarray(i, i + chunk));
  scan.finish();
  return { files, bodyBytes };
}

describe('TarScanner', () => {
  // (ustar cannot hold the tree's 150-byte link target; tar-stream's own archives below are ustar.)
  for (const format of ['gnu', 'pax']) {
    it(`indexes a ${format} archive as tar-stream does, in chunks of any size`, async () => {
      const bytes = gnuTar(format);
      const expected = await viaTarStream(bytes);
      expect(expected.map((f) => f.path)).toContain(`${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}.txt`);
      for (const chunk of [1, 7, 511, 512, 513, 4096, bytes.length]) {
        const { files, bodyBytes } = viaScanner(bytes, chunk);
        expect(files).toEqual(expected);
        expect(bodyBytes).toBe(1500 + 512);
      }
    });
  }

  it('reads a pax size past the ustar field and a pax global header', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'a.txt', size: 3, pax: { path: 'renamed/a.txt', comment: 'x' } } as tar.Header, 'abc');
    pack.entry({ name: 'l', type: 'symlink', linkname: 'target' });
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(viaScanner(bytes, 100).files).toEqual(await viaTarStream(bytes));
    expect(viaScanner(bytes, 100).files.map((f) => f.path)).toEqual(['renamed/a.txt', 'l']);
  });

  it('refuses a header whose checksum is wrong, and an archive cut inside an entry', () => {
    const bytes = gnuTar('gnu');
    const damaged = Buffer.from(bytes);
    damaged[0] = damaged[0]! ^ 0x01;
    expect(() => viaScanner(damaged, 4096)).toThrow(/invalid tar archive: bad header checksum/);
    expect(() => viaScanner(bytes.subarray(0, 512 + 700), 4096)).toThrow(/invalid tar archive: unexpected end of data/);
  });

  it('refuses a long-name record larger than it will hold in memory', () => {
    const header = Buffer.alloc(512);
    header.write('././@LongLink', 0, 'latin1');
    header.write('0000644\0', 100, 'latin1');
    header.write(`${(2 << 20).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header[156] = 'L'.charCodeAt(0);
    header.write('ustar  \0', 257, 'latin1');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(() => viaScanner(header, 512)).toThrow(/gnu-long-path of 2097152 bytes/);
  });

  it('marks hard links and whiteouts', () => {
    const bytes = gnuTar('gnu');
    expect(viaScanner(bytes, 64).files.find((f) => f.path === 'hard')).toMatchObject({ type: 'hardlink', linkTarget: './empty' });
    expect(viaScanner(bytes, 64).files.find((f) => f.path === 'gone')).toMatchObject({ type: 'whiteout' });
  });
});
