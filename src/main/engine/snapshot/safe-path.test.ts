import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync, lstatSync, readSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PinnedDir, fixedSizeStream, inDir, lstatIn, walkTree } from './safe-path.ts';
import { tempDir } from '../../../../test/tmp.ts';

describe('safe-path: no link under a layer is ever followed on the host', () => {
  let dir: { path: string; cleanup: () => void };
  let layer: string;
  let host: string;
  beforeEach(() => {
    dir = tempDir();
    layer = join(dir.path, 'layer');
    host = join(dir.path, 'host');
    mkdirSync(join(layer, 'real', 'sub'), { recursive: true });
    mkdirSync(host);
    writeFileSync(join(host, 'secret'), 'host secret');
    writeFileSync(join(layer, 'real', 'file'), 'layer file');
    symlinkSync(host, join(layer, 'up'));
    symlinkSync(join(host, 'secret'), join(layer, 'real', 'link'));
  });
  afterEach(() => dir.cleanup());

  it('refuses a symlink as a directory on the way, and reports it as hiding what is below', () => {
    expect(() => PinnedDir.open(layer, 'up')).toThrow(expect.objectContaining({ code: expect.stringMatching(/ENOTDIR|ELOOP/) }));
    expect(PinnedDir.tryOpen(layer, 'up')).toBe('hidden');
    expect(PinnedDir.tryOpen(layer, 'absent')).toBeUndefined();
    expect(lstatIn(layer, 'up/secret')).toBe('hidden');
    expect(lstatIn(layer, 'real/file')).toMatchObject({ size: 10 });
    expect(() => PinnedDir.open(layer, '../host')).toThrow(/invalid file name/);
  });

  it('opens regular files only, by their descriptor (a link, a FIFO, a directory never)', () => {
    execFileSync('mkfifo', [join(layer, 'real', 'pipe')]);
    inDir(layer, 'real', (d) => {
      const f = d.openFile('file')!;
      const buf = Buffer.alloc(20);
      expect(buf.subarray(0, readSync(f.fd, buf)).toString()).toBe('layer file');
      expect(f.stat.size).toBe(10);
      closeSync(f.fd);
      expect(d.openFile('link')).toBeUndefined();
      expect(d.openFile('pipe')).toBeUndefined();
      expect(d.openFile('sub')).toBeUndefined();
      expect(d.openFile('absent')).toBeUndefined();
    });
  });

  it('never creates a file through an existing name, and removes a tree without entering links', () => {
    inDir(layer, 'real', (d) => {
      expect(() => d.createFile('link', 0o644)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      symlinkSync(host, join(layer, 'real', 'sub', 'to-host'));
      d.remove('sub');
    });
    expect(readFileSync(join(host, 'secret'), 'utf8')).toBe('host secret');
    expect(existsSync(join(layer, 'real', 'sub'))).toBe(false);
    inDir(layer, '', (d) => d.remove('up'));
    expect(lstatSync(host).isDirectory()).toBe(true);
  });

  it('walks a tree without entering a linked directory', () => {
    const seen: string[] = [];
    walkTree(layer, (rel) => {
      seen.push(rel);
      return true;
    });
    expect(seen.sort()).toEqual(['real', 'real/file', 'real/link', 'real/sub', 'up']);
  });

  it('streams exactly the size a tar header announced, even when the file changes meanwhile', async () => {
    const read = async (size: number): Promise<Buffer> => {
      const f = inDir(layer, 'real', (d) => d.openFile('file'))!;
      const chunks: Buffer[] = [];
      for await (const c of fixedSizeStream(f.fd, size)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await read(5)).toString()).toBe('layer');
    expect(await read(12)).toEqual(Buffer.concat([Buffer.from('layer file'), Buffer.alloc(2)]));
  });
});
