import { createReadStream, type ReadStream } from 'node:fs';
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { assertDigest, hexOf, sha256Hasher } from './digest.ts';
import { StrataError } from '../../../shared/errors.ts';

/** A committed blob's file name under `sha256/`: 64 lowercase hex digits. */
const BLOB_NAME = /^[a-f0-9]{64}$/;

export function isBlobName(name: string): boolean {
  return BLOB_NAME.test(name);
}

/** A committed blob. */
export interface BlobRef {
  digest: string;
  size: number;
}

export class DigestMismatchError extends StrataError {
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super('data-loss', `digest mismatch: expected ${expected}, got ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

export class SizeMismatchError extends StrataError {
  constructor(expected: number, actual: number, digest?: string) {
    super('data-loss', `size mismatch${digest ? ` for ${digest}` : ''}: expected ${expected} bytes, got ${actual}`);
  }
}

/**
 * Content-addressed blob store (containerd's `content` service, on plain files).
 *
 * Layout: `<root>/sha256/<hex>` for committed blobs, `<root>/ingest/<random>` while writing.
 * A blob becomes visible only by an atomic rename after its digest was verified and its bytes
 * fsynced, so a crash leaves either nothing or a whole, correct blob. Blobs are immutable.
 */
export class ContentStore {
  readonly root: string;
  readonly ingestDir: string;
  readonly blobDir: string;

  constructor(root: string) {
    this.root = root;
    this.blobDir = join(root, 'sha256');
    this.ingestDir = join(root, 'ingest');
    fs.mkdirSync(this.blobDir, { recursive: true });
    fs.mkdirSync(this.ingestDir, { recursive: true });
  }

  path(digest: string): string {
    return join(this.blobDir, hexOf(digest));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  /** Size in bytes, or undefined when the blob is absent. */
  size(digest: string): number | undefined {
    try {
      return fs.statSync(this.path(digest)).size;
    } catch {
      return undefined;
    }
  }

  read(digest: string, options?: { start?: number; end?: number; highWaterMark?: number }): ReadStream {
    return createReadStream(this.path(digest), options);
  }

  readBytes(digest: string): Buffer {
    return fs.readFileSync(this.path(digest));
  }

  /** Starts a new ingest. The caller writes bytes and then commits or aborts. */
  async writer(): Promise<BlobWriter> {
    const tmp = join(this.ingestDir, `${Date.now()}-${process.pid}-${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}`);
    const fh = await fs.promises.open(tmp, 'wx', 0o644);
    return new BlobWriter(this, tmp, fh);
  }

  /** Streams `source` into a new blob; verifies `expected` digest/size when given. */
  async ingest(source: Readable | AsyncIterable<Uint8Array>, expected?: { digest?: string; size?: number }): Promise<BlobRef> {
    const w = await this.writer();
    try {
      for await (const chunk of source) await w.write(chunk as Uint8Array);
      return await w.commit(expected);
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  async put(data: string | Uint8Array, expected?: { digest?: string }): Promise<BlobRef> {
    const w = await this.writer();
    try {
      await w.write(typeof data === 'string' ? Buffer.from(data) : data);
      return await w.commit(expected);
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  /**
   * Small blobs stored together (an image's config and manifest): written and fsynced at once,
   * renamed into place, then one fsync of the directory covers every rename (each put() pays
   * its own: on a busy disk each is a journal commit to wait for).
   */
  async putAll(items: readonly { data: string | Uint8Array; digest?: string }[]): Promise<BlobRef[]> {
    const writers: BlobWriter[] = [];
    try {
      for (let i = 0; i < items.length; i++) writers.push(await this.writer());
      const refs = await Promise.all(items.map(async (item, i) => {
        await writers[i]!.write(typeof item.data === 'string' ? Buffer.from(item.data) : item.data);
        return writers[i]!.commit(item.digest ? { digest: item.digest } : undefined, { syncDir: false });
      }));
      if (writers.some((w) => w.renamed)) this.syncBlobDir();
      return refs;
    } catch (err) {
      await Promise.all(writers.map((w) => w.abort()));
      throw err;
    }
  }

  /** Removes a committed blob; missing blobs are not an error. */
  delete(digest: string): void {
    fs.rmSync(this.path(digest), { force: true });
  }

  /** Every committed blob digest on disk. */
  async list(): Promise<string[]> {
    return (await fs.promises.readdir(this.blobDir)).filter(isBlobName).map((n) => `sha256:${n}`);
  }

  mtimeMsSync(digest: string): number | undefined {
    try {
      return fs.statSync(this.path(digest)).mtimeMs;
    } catch {
      return undefined;
    }
  }

  async mtimeMs(digest: string): Promise<number | undefined> {
    try {
      return (await fs.promises.stat(this.path(digest))).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /**
   * Removes ingest files abandoned by writers that no longer run. Each ingest file is named with
   * its writer's pid, so a live writer's file is never touched, however old or new; files with
   * unreadable names are removed once older than `graceMs`.
   */
  async cleanIngest(options: { graceMs?: number; alive?: (pid: number) => boolean } = {}): Promise<number> {
    const alive = options.alive ?? processAlive;
    const graceMs = options.graceMs ?? 60 * 60 * 1000;
    let removed = 0;
    for (const name of await fs.promises.readdir(this.ingestDir)) {
      const p = join(this.ingestDir, name);
      const pid = Number(/^\d+-(\d+)-[0-9a-f]+$/.exec(name)?.[1] ?? NaN);
      try {
        if (Number.isInteger(pid) ? alive(pid) : Date.now() - (await fs.promises.stat(p)).mtimeMs < graceMs) continue;
        await fs.promises.rm(p, { force: true, recursive: true });
        removed++;
      } catch {
        /* raced with its writer finishing */
      }
    }
    return removed;
  }

  /** fsync the blob directory so a rename into it survives power loss. */
  syncBlobDir(): void {
    const fd = fs.openSync(this.blobDir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  async ensure(): Promise<void> {
    await fs.promises.mkdir(this.blobDir, { recursive: true });
    await fs.promises.mkdir(this.ingestDir, { recursive: true });
  }
}

/**
 * Bytes a blob's writer lets pile up in the page cache before it asks the kernel to write them
 * out (fdatasync on the threadpool, not awaited by the writes). Left to commit's fsync, a 100 MB
 * layer's whole write-back (≈ 0.2 s on this disk) came after its last byte, on the critical path;
 * started as the bytes arrive, it overlaps the download and commit's fsync finds little to do.
 */
const WRITE_BACK_BYTES = 16 << 20;

/**
 * One ingest in progress: bytes go to a private temp file while being hashed; `commit` verifies,
 * fsyncs and renames into place. Writing the same content twice stores it once.
 */
export class BlobWriter {
  private readonly store: ContentStore;
  readonly tmpPath: string;
  private fh: FileHandle | undefined;
  private readonly hash: Hash = sha256Hasher();
  private written = 0;
  /** Bytes handed to write() so far: where the next write goes in the file. */
  private queued = 0;
  /** Whether commit() renamed the blob into place (else an identical one was there already). */
  renamed = false;
  /** Bytes written since the last early write-back started. */
  private unsynced = 0;
  /** The early write-back in flight, if any (see WRITE_BACK_BYTES). */
  private writeBack: Promise<void> | undefined;
  /** What an early write-back failed with: commit throws it. */
  private writeBackFailure: unknown;

  constructor(store: ContentStore, tmpPath: string, fh: FileHandle) {
    this.store = store;
    this.tmpPath = tmpPath;
    this.fh = fh;
  }

  get size(): number {
    return this.written;
  }

  /**
   * Hashes `chunk` at once and writes it at its own place in the file, so a caller may keep
   * several writes in flight (and must see them all done before commit).
   */
  async write(chunk: Uint8Array): Promise<void> {
    if (!this.fh) throw new StrataError('internal', 'blob writer is closed');
    this.hash.update(chunk);
    const position = this.queued;
    this.queued += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off, position + off);
      off += bytesWritten;
    }
    this.written += chunk.length;
    this.wroteOut(chunk.length);
  }

  /**
   * Several chunks in one call (one threadpool job, no joining copy), hashed in order at once and
   * written at their place in the file, like write().
   */
  async writev(chunks: Uint8Array[]): Promise<void> {
    if (!this.fh) throw new StrataError('internal', 'blob writer is closed');
    let bytes = 0;
    for (const c of chunks) {
      this.hash.update(c);
      bytes += c.length;
    }
    const position = this.queued;
    this.queued += bytes;
    const { bytesWritten } = await this.fh.writev(chunks, position);
    // A short write (rare on a regular file): what is left, one piece at a time.
    if (bytesWritten < bytes) await this.writeFrom(chunks, bytesWritten, position);
    this.written += bytes;
    this.wroteOut(bytes);
  }

  /**
   * Starts writing the file's dirty pages back once WRITE_BACK_BYTES piled up, one write-back at
   * a time. Only an early start: commit still fsyncs before the rename, so what a crash can leave
   * is unchanged. Its failure is kept for commit: the kernel reports a write-back error once per
   * open file, so commit's own fsync would no longer see it.
   */
  private wroteOut(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < WRITE_BACK_BYTES || this.writeBack || !this.fh) return;
    this.unsynced = 0;
    this.writeBack = this.fh.datasync()
      .catch((err: unknown) => { this.writeBackFailure ??= err; })
      .finally(() => { this.writeBack = undefined; });
  }

  /** Writes `chunks` (laid end to end at `position`) from byte `from` of them on. */
  private async writeFrom(chunks: Uint8Array[], from: number, position: number): Promise<void> {
    let start = 0; // where the current chunk starts among them
    for (const c of chunks) {
      let off = Math.max(0, from - start);
      while (off < c.length) {
        const { bytesWritten } = await this.fh!.write(c, off, c.length - off, position + start + off);
        off += bytesWritten;
      }
      start += c.length;
    }
  }

  /** The digest of what was written so far, without finishing (used by callers that name blobs). */
  async commit(expected?: { digest?: string; size?: number }, options: { syncDir?: boolean } = {}): Promise<BlobRef> {
    const fh = this.fh;
    if (!fh) throw new StrataError('internal', 'blob writer is closed');
    if (this.written !== this.queued) throw new StrataError('internal', 'blob writer committed with writes still in flight');
    const digest = `sha256:${this.hash.digest('hex')}`;
    try {
      if (expected?.size !== undefined && expected.size !== this.written) {
        throw new SizeMismatchError(expected.size, this.written, expected.digest);
      }
      if (expected?.digest !== undefined && assertDigest(expected.digest) !== digest) {
        throw new DigestMismatchError(expected.digest, digest);
      }
      await this.writeBack;
      if (this.writeBackFailure !== undefined) throw this.writeBackFailure;
      await fh.sync();
    } finally {
      await this.writeBack;
      await fh.close();
      this.fh = undefined;
    }
    const target = this.store.path(digest);
    if (keepExisting(target)) {
      // Same content already stored: keep the existing (identical, immutable) file.
      fs.rmSync(this.tmpPath, { force: true });
    } else {
      fs.renameSync(this.tmpPath, target);
      this.renamed = true;
      // Without syncDir the caller fsyncs the directory itself, before any record names the blob.
      if (options.syncDir !== false) this.store.syncBlobDir();
    }
    return { digest, size: this.written };
  }

  async abort(): Promise<void> {
    if (this.fh) {
      await this.writeBack;
      await this.fh.close().catch(() => {});
      this.fh = undefined;
    }
    await fs.promises.rm(this.tmpPath, { force: true });
  }
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when an identical blob is already in place. Its mtime is refreshed so that, until this
 * writer's caller records it, gc treats it like a fresh ingest under the caller's lease.
 */
function keepExisting(target: string): boolean {
  try {
    const now = new Date();
    fs.utimesSync(target, now, now);
    return true;
  } catch {
    return false;
  }
}
