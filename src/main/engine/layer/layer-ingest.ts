import { PassThrough, type Readable, type Transform } from 'node:stream';
import type { BlobRef, BlobWriter, ContentStore } from '../store/content-store.ts';
import { sha256Hasher } from '../store/digest.ts';
import type { Compression } from '../image/oci.ts';
import type { LayerFile } from '../api.ts';
import { checkLayerEntry, LayerPathTracker } from './tar-safety.ts';
import { TarScanner } from './tar-scan.ts';
import { diffSize, fileFromHeader } from './file-index.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface IngestedLayer {
  blob: BlobRef;
  compression: Compression;
  diffId: string;
  /** Uncompressed size in bytes (the tar stream). */
  size: number;
  /** What the layer holds on disk as docker counts it (see `diffSize`): docker's SIZE. */
  diffSize: number;
  files: LayerFile[];
}

/** Sniffs the compression from the first bytes of a blob. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

const DECOMPRESS_CHUNK = 256 * 1024;

export function decompressor(compression: Compression): Transform {
  // Taken on use: a plain tar (every layer a build writes) needs no zlib.
  const zlib = process.getBuiltinModule('node:zlib');
  // zlib's default 16 KiB output chunk costs one threadpool round trip per 16 KiB: 256 KiB
  // makes decompression about 3× faster, which sets the pace of load and pull.
  if (compression === 'gzip') return zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK });
  if (compression === 'zstd') return zlib.createZstdDecompress({ chunkSize: DECOMPRESS_CHUNK });
  return new PassThrough();
}

/**
 * Bytes a layer's reader may queue for the file and for the decompressor before it waits. A
 * reader that waited for each piece (a 64 KiB socket read) paid a threadpool round trip per
 * piece, twice; on a busy machine those waits, not the work, set the pace. Queued pieces go out
 * together: one job for many reads.
 */
const IN_FLIGHT_BYTES = 1 << 20;

/** Bytes detectCompression needs to tell every compression it knows (zstd's magic number). */
const SNIFF_BYTES = 4;

export function isTarHeader(head: Uint8Array): boolean {
  return head.length >= 263 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
}

export interface IngestOptions {
  /**
   * Told, in order, how many of the source's bytes the ingest is done with (written to the file
   * and through the decompressor): a source that lends views of a reused buffer may read into
   * their room again.
   */
  onConsumed?: (bytes: number) => void;
}

/**
 * Streams one layer into the content store in a single pass: the bytes are written and hashed as
 * they arrive (blob digest) while a second branch decompresses (on the threadpool), hashes the tar
 * (diff ID) and reads its headers into the file index, refusing hostile entries. Bodies are
 * skipped by arithmetic: no stream per entry, no copy of the bytes. Nothing is held in memory
 * beyond a tar header, and nothing becomes visible unless every check passed.
 */
export async function ingestLayer(
  store: ContentStore,
  source: Readable | AsyncIterable<Uint8Array>,
  expected?: { digest?: string; size?: number },
  options: IngestOptions = {},
): Promise<IngestedLayer> {
  const writer = await store.writer();
  let compression: Compression | undefined;
  let unpack: UnpackBranch | undefined;
  /** Source bytes taken so far (a plain tar's index is done with them at once). */
  let taken = 0;
  let reported = 0;
  const report = options.onConsumed && ((): void => {
    const done = Math.min(file.written, unpack ? unpack.consumed : taken);
    if (done > reported) options.onConsumed!((reported = done));
  });
  const file = new FileWrites(writer, report);
  const index = new LayerIndex();
  /** The first bytes, held until there are enough to tell the compression by. */
  let head: Uint8Array | undefined;
  const take = async (chunk: Uint8Array): Promise<void> => {
    if (compression === undefined) {
      compression = detectCompression(chunk);
      if (compression !== 'none') unpack = new UnpackBranch(compression, index, report);
    }
    taken += chunk.length;
    // File write and decompression run on the threadpool at once, while this thread takes
    // the next chunk. A plain tar is its own diff: its headers are read right here.
    const room = file.write(chunk);
    room?.catch(() => {}); // awaited below unless the decompressor or index failed first
    const drained = unpack ? unpack.write(chunk) : (index.push(chunk), undefined);
    drained?.catch(() => {}); // awaited below unless the write failed first
    if (room) await room;
    if (drained) await drained;
  };
  try {
    for await (const raw of source) {
      let chunk = raw as Uint8Array;
      if (compression === undefined) {
        // A first piece shorter than a magic number (a socket read can end anywhere) would
        // pass a gzip or zstd layer off as a plain tar.
        chunk = head ? Buffer.concat([head, chunk]) : chunk;
        if (chunk.length < SNIFF_BYTES) {
          head = chunk;
          continue;
        }
        head = undefined;
      }
      await take(chunk);
    }
    if (head && head.length > 0) await take(head);
    if (compression === undefined) throw new StrataError('invalid', 'layer is empty (0 bytes): not a tar archive');
    const tar = unpack ? await unpack.end() : undefined;
    index.finish();
    await file.done();
    const blob = await writer.commit(expected);
    const files = index.files;
    return { blob, compression, diffId: tar?.diffId ?? blob.digest, size: tar?.size ?? blob.size, diffSize: diffSize(files), files };
  } catch (err) {
    unpack?.destroy();
    await file.settled();
    await writer.abort();
    throw layerError(unpack?.failure ?? err);
  }
}

/**
 * A blob's file writes: one at a time, and what arrives meanwhile goes out as one writev when it
 * is done (one threadpool job for many socket reads, no copy). A caller with more than
 * IN_FLIGHT_BYTES queued waits for the queue to be written.
 */
class FileWrites {
  private readonly writer: BlobWriter;
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** The loop writing the queue out, while there is one. */
  private running: Promise<void> | undefined;
  private failure: unknown;
  /** Bytes written to the file so far. */
  written = 0;
  private readonly onWritten: (() => void) | undefined;

  constructor(writer: BlobWriter, onWritten?: () => void) {
    this.writer = writer;
    this.onWritten = onWritten;
  }

  /** Queues `chunk`; resolves once there is room for more (undefined: there is now). */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.running ??= this.writeOut();
    return this.queued > IN_FLIGHT_BYTES ? this.done() : undefined;
  }

  /** Everything queued is written; throws what failed. */
  async done(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Nothing in flight any more, failed or not (before the file is closed and removed). */
  async settled(): Promise<void> {
    await this.done().catch(() => {});
  }

  private async writeOut(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        const bytes = this.queued;
        this.queue = [];
        this.queued = 0;
        await (batch.length === 1 ? this.writer.write(batch[0]!) : this.writer.writev(batch));
        this.written += bytes;
        this.onWritten?.();
      }
    } catch (err) {
      this.failure = err;
    } finally {
      this.running = undefined;
    }
  }
}

/** A layer's tar headers read into its file index, each entry checked as it comes. */
class LayerIndex {
  readonly files: LayerFile[] = [];
  private readonly tracker = new LayerPathTracker();
  private readonly scanner = new TarScanner({
    entry: (header) => {
      checkLayerEntry(header, this.tracker);
      this.files.push(fileFromHeader(header));
    },
  }, { readPastEnd: true });

  push(chunk: Uint8Array): void {
    this.scanner.push(chunk);
  }

  finish(): void {
    this.scanner.finish();
  }
}

/**
 * A compressed layer's tar: decompressed by zlib on the threadpool, each piece hashed (the diff
 * ID) and indexed on this thread as it comes out. The first failure (corrupt stream, hostile
 * entry) stops it at once and is the one reported.
 */
class UnpackBranch {
  failure: Error | undefined;
  private readonly stream: Transform;
  private readonly hash = sha256Hasher();
  private size = 0;
  private readonly ended: Promise<void>;
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** The loop handing the queue to the decompressor, while there is one. */
  private running: Promise<void> | undefined;
  /** Where queued chunks are joined for the decompressor (see takePiece). */
  private joined: Buffer | undefined;
  /** Compressed bytes the decompressor is done with. */
  consumed = 0;
  private readonly onConsumed: (() => void) | undefined;

  constructor(compression: Compression, index: LayerIndex, onConsumed?: () => void) {
    this.onConsumed = onConsumed;
    this.stream = decompressor(compression);
    this.stream.on('data', (piece: Buffer) => {
      if (this.failure) return;
      try {
        this.hash.update(piece);
        this.size += piece.length;
        index.push(piece);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    this.ended = new Promise<void>((resolve, reject) => {
      this.stream.once('end', resolve);
      this.stream.once('error', (err: Error) => reject(this.failure ?? err));
    });
    this.ended.catch(() => {}); // awaited by end(); a failure before it surfaces through write()
    this.stream.on('error', (err: Error) => { this.failure ??= err; });
  }

  /**
   * Queues a chunk; resolves once there is room for more (undefined: there is now). The
   * decompressor takes one piece at a time, and what arrived meanwhile is joined into the next:
   * one threadpool job per piece, so a few jobs per busy spell instead of one per socket read.
   */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.running ??= this.feed();
    return this.queued > IN_FLIGHT_BYTES ? this.fed() : undefined;
  }

  /**
   * The next piece for the decompressor: a lone chunk as it is, else as many queued chunks as fit
   * copied into one buffer kept for the layer. A fresh join per piece was as many bytes of garbage
   * as the layer itself, and the collections it set off cost more than the copy. Reusing one
   * buffer is safe: the next piece is taken only once zlib has consumed this one.
   */
  private takePiece(): Uint8Array {
    if (this.queue.length === 1 || this.queue[0]!.length >= IN_FLIGHT_BYTES) {
      const chunk = this.queue.shift()!;
      this.queued -= chunk.length;
      return chunk;
    }
    const adjacent = adjacentRun(this.queue, IN_FLIGHT_BYTES);
    if (adjacent) {
      this.queue.splice(0, adjacent.count);
      this.queued -= adjacent.view.length;
      return adjacent.view;
    }
    this.joined ??= Buffer.allocUnsafeSlow(IN_FLIGHT_BYTES);
    let n = 0;
    while (this.queue.length > 0 && n + this.queue[0]!.length <= IN_FLIGHT_BYTES) {
      const chunk = this.queue.shift()!;
      this.joined.set(chunk, n);
      n += chunk.length;
    }
    this.queued -= n;
    return this.joined.subarray(0, n);
  }

  async end(): Promise<{ diffId: string; size: number }> {
    await this.fed();
    if (this.failure) throw this.failure;
    this.stream.end();
    await this.ended;
    if (this.failure) throw this.failure;
    return { diffId: `sha256:${this.hash.digest('hex')}`, size: this.size };
  }

  destroy(): void {
    this.stream.destroy();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.stream.destroy(err);
  }

  /** Everything queued went through the decompressor (or it failed). */
  private async fed(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  /**
   * One piece through the decompressor. A corrupt stream destroys it while it works, and a
   * destroyed stream never calls back the write it was on: without 'close' the ingest waited
   * for ever (a corrupt gzip layer hung the pull).
   */
  private inflate(piece: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const closed = (): void => reject(this.failure ?? new StrataError('data-loss', 'layer decompressor closed'));
      this.stream.once('close', closed);
      this.stream.write(piece, (err) => {
        this.stream.off('close', closed);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  private async feed(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const piece = this.takePiece();
        await this.inflate(piece);
        this.consumed += piece.length;
        this.onConsumed?.();
      }
    } catch (err) {
      this.failure ??= err as Error;
    } finally {
      this.running = undefined;
    }
  }
}

/**
 * The first queued chunks as one view when they lie end to end in one buffer (a download's
 * socket reads, lent from its ring: docs/registry.md), up to `max` bytes: handed on as they are,
 * no copy. Undefined when the first two are not neighbours.
 */
export function adjacentRun(queue: Uint8Array[], max: number): { view: Uint8Array; count: number } | undefined {
  const first = queue[0]!;
  let end = first.byteOffset + first.length;
  let count = 1;
  while (count < queue.length) {
    const next = queue[count]!;
    if (next.buffer !== first.buffer || next.byteOffset !== end || end + next.length - first.byteOffset > max) break;
    end += next.length;
    count++;
  }
  if (count === 1) return undefined;
  return { view: new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset), count };
}

function layerError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (/Unexpected end of data|unexpected end of file|Z_BUF_ERROR/i.test(e.message)) {
    return new StrataError('data-loss', `truncated layer: ${e.message}`);
  }
  if ((e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') return new StrataError('data-loss', `corrupt layer: ${e.message}`);
  if (/Invalid tar header|invalid tar archive/i.test(e.message)) return new StrataError('invalid', `layer is not a valid tar archive: ${e.message}`);
  return e;
}
