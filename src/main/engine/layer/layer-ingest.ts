import { PassThrough, type Readable, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
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

/** `queue`: bytes of input it takes before asking the writer to wait (the stream's default 16 KiB). */
export function decompressor(compression: Compression, queue?: number): Transform {
  // zlib's default 16 KiB output chunk costs one threadpool round trip per 16 KiB: 256 KiB
  // makes decompression about 3× faster, which sets the pace of load and pull.
  const options = { chunkSize: DECOMPRESS_CHUNK, ...(queue ? { writableHighWaterMark: queue } : {}) };
  if (compression === 'gzip') return zlib.createGunzip(options);
  if (compression === 'zstd') return zlib.createZstdDecompress(options);
  return new PassThrough();
}

/**
 * Input queued for the decompressor and file writes in flight, per layer. A writer that waited
 * for each piece (a 64 KiB socket read, a 16 KiB stream default) paid a threadpool round trip per
 * piece, twice; on a busy machine those waits, not the work, set the pace.
 */
const IN_FLIGHT_BYTES = 1 << 20;

export function isTarHeader(head: Uint8Array): boolean {
  return head.length >= 263 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
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
): Promise<IngestedLayer> {
  const writer = await store.writer();
  const file = new WritesInFlight(writer);
  const index = new LayerIndex();
  let compression: Compression | undefined;
  let unpack: UnpackBranch | undefined;
  try {
    for await (const raw of source) {
      const chunk = raw as Uint8Array;
      if (compression === undefined) {
        compression = detectCompression(chunk);
        if (compression !== 'none') unpack = new UnpackBranch(compression, index);
      }
      // File write and decompression run on the threadpool at once, while this thread takes
      // the next chunk. A plain tar is its own diff: its headers are read right here.
      const room = file.write(chunk);
      const drained = unpack ? unpack.write(chunk) : (index.push(chunk), undefined);
      drained?.catch(() => {}); // awaited below unless the write failed first
      if (room) await room;
      if (drained) await drained;
    }
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

/** A blob's file writes, up to IN_FLIGHT_BYTES of them at once (each at its own offset). */
class WritesInFlight {
  private readonly writer: BlobWriter;
  private readonly pending: { done: Promise<void>; bytes: number }[] = [];
  private bytes = 0;

  constructor(writer: BlobWriter) {
    this.writer = writer;
  }

  /** Starts writing `chunk`; resolves once there is room for more (undefined: there is now). */
  write(chunk: Uint8Array): Promise<void> | undefined {
    const done = this.writer.write(chunk);
    done.catch(() => {}); // awaited in order below
    this.pending.push({ done, bytes: chunk.length });
    this.bytes += chunk.length;
    return this.bytes > IN_FLIGHT_BYTES ? this.shrink() : undefined;
  }

  /** Every write done; throws the first that failed. */
  async done(): Promise<void> {
    while (this.pending.length > 0) await this.next();
  }

  /** Every write finished, failed or not (before the file is closed and removed). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.pending.map((p) => p.done));
  }

  private async shrink(): Promise<void> {
    while (this.bytes > IN_FLIGHT_BYTES && this.pending.length > 1) await this.next();
  }

  private async next(): Promise<void> {
    const first = this.pending[0]!;
    await first.done;
    this.pending.shift();
    this.bytes -= first.bytes;
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

  constructor(compression: Compression, index: LayerIndex) {
    this.stream = decompressor(compression, IN_FLIGHT_BYTES);
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

  /** Hands on a chunk; resolves once the decompressor wants more (undefined: it does now). */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    return this.stream.write(chunk) ? undefined : drainOf(this.stream);
  }

  async end(): Promise<{ diffId: string; size: number }> {
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
}

/** Resolves on the stream's next 'drain', rejects on its 'error'. */
function drainOf(stream: Transform): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = (): void => { cleanup(); resolve(); };
    const onError = (e: Error): void => { cleanup(); reject(e); };
    const cleanup = (): void => { stream.off('drain', onDrain); stream.off('error', onError); };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

function layerError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (/Unexpected end of data|unexpected end of file|Z_BUF_ERROR/i.test(e.message)) {
    return new StrataError('data-loss', `truncated layer: ${e.message}`);
  }
  if (/Invalid tar header|invalid tar archive/i.test(e.message)) return new StrataError('invalid', `layer is not a valid tar archive: ${e.message}`);
  return e;
}
