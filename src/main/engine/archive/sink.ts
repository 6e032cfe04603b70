import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { StrataError } from '../../../shared/errors.ts';

/** Where an image archive is written: a tar stream or an OCI layout directory. */
export interface ArchiveSink {
  dir(name: string): Promise<void>;
  bytes(name: string, data: Buffer): Promise<void>;
  /** Streams `size` bytes from `source` into `name`. */
  stream(name: string, size: number, source: AsyncIterable<Uint8Array>): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/** Every header is the same but for name, size and type, so equal input gives an equal archive. */
const EPOCH = new Date(0);

/** A tar archive with deterministic headers (epoch mtime, root owner, fixed modes), streamed to `out`. */
export class TarSink implements ArchiveSink {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;

  constructor(out: Writable, end = true) {
    this.done = pipeline(this.pack, out, { end });
    this.done.catch(() => {});
  }

  async dir(name: string): Promise<void> {
    await this.write({ name: `${name}/`, type: 'directory', mode: 0o755, size: 0 }, Buffer.alloc(0));
  }

  async bytes(name: string, data: Buffer): Promise<void> {
    await this.write({ name, type: 'file', mode: 0o644, size: data.length }, data);
  }

  private write(header: { name: string; type: 'file' | 'directory'; mode: number; size: number }, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry({ ...header, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' }, data, (err) => (err ? reject(err) : resolve()));
    });
  }

  async stream(name: string, size: number, source: AsyncIterable<Uint8Array>): Promise<void> {
    let w!: Writable;
    const finished = new Promise<void>((resolve, reject) => {
      const header = { name, type: 'file' as const, mode: 0o644, size, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
      w = this.pack.entry(header, (err) => (err ? reject(err) : resolve())) as unknown as Writable;
    });
    finished.catch(() => {});
    for await (const chunk of source) {
      if (!w.write(chunk)) await once(w, 'drain');
    }
    w.end();
    await finished;
  }

  async finish(): Promise<void> {
    this.pack.finalize();
    await this.done;
  }

  async abort(): Promise<void> {
    this.pack.destroy();
    await this.done.catch(() => {});
  }
}

/**
 * An OCI layout directory. Files are written under temporary names and renamed into place, and
 * index.json is written last, so a reader never sees a half-written layout as complete.
 */
export class DirectorySink implements ArchiveSink {
  private readonly root: string;
  private readonly created: string[] = [];

  private constructor(root: string) {
    this.root = root;
  }

  static async open(root: string): Promise<DirectorySink> {
    await mkdir(root, { recursive: true });
    const existing = await readdir(root);
    if (existing.length > 0) throw new StrataError('already-exists', `output directory ${root} is not empty`);
    return new DirectorySink(root);
  }

  async dir(name: string): Promise<void> {
    await mkdir(join(this.root, name), { recursive: true });
  }

  async bytes(name: string, data: Buffer): Promise<void> {
    const target = join(this.root, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.tmp`, data);
    await rename(`${target}.tmp`, target);
    this.created.push(target);
  }

  async stream(name: string, size: number, source: AsyncIterable<Uint8Array>): Promise<void> {
    const target = join(this.root, name);
    await mkdir(dirname(target), { recursive: true });
    const out = createWriteStream(`${target}.tmp`);
    let written = 0;
    await pipeline(source, async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const c of chunks) {
        written += c.length;
        yield c;
      }
    }, out);
    if (written !== size) throw new StrataError('data-loss', `${name}: wrote ${written} bytes, expected ${size}`);
    await rename(`${target}.tmp`, target);
  }

  async finish(): Promise<void> {}

  async abort(): Promise<void> {
    await rm(join(this.root, 'blobs'), { recursive: true, force: true });
    await rm(join(this.root, 'index.json'), { force: true });
    await rm(join(this.root, 'oci-layout'), { force: true });
  }
}
