import { PassThrough, Writable, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import type { ContentStore, BlobRef } from '../store/content-store.ts';
import { sha256Hasher } from '../store/digest.ts';
import type { Compression } from '../image/oci.ts';
import type { LayerFile } from '../api.ts';
import { checkLayerEntry, LayerPathTracker } from './tar-safety.ts';
import { diffSize, fileFromHeader } from './file-index.ts';

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
  // zlib's default 16 KiB output chunk costs one threadpool round trip per 16 KiB: 256 KiB
  // makes decompression about 3× faster, which sets the pace of load and pull.
  if (compression === 'gzip') return zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK });
  if (compression === 'zstd') return zlib.createZstdDecompress({ chunkSize: DECOMPRESS_CHUNK });
  return new PassThrough();
}

export function isTarHeader(head: Uint8Array): boolean {
  return head.length >= 263 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
}

/**
 * Streams one layer into the content store in a single pass: the bytes are written and hashed as
 * they arrive (blob digest) while a second branch decompresses, hashes the tar (diff ID) and
 * parses it into the file index, refusing hostile entries. Nothing is held in memory beyond a
 * tar header, and nothing becomes visible unless every check passed.
 */
export async function ingestLayer(
  store: ContentStore,
  source: Readable | AsyncIterable<Uint8Array>,
  expected?: { digest?: string; size?: number },
): Promise<IngestedLayer> {
  const writer = await store.writer();
  const tarHash = sha256Hasher();
  let tarSize = 0;
  let compression: Compression | undefined;
  const files: LayerFile[] = [];
  const tracker = new LayerPathTracker();

  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    // The entry stream is destroyed with the archive's error; that error is reported once, below.
    stream.on('error', () => {});
    try {
      checkLayerEntry(header, tracker);
      files.push(fileFromHeader(header));
    } catch (err) {
      stream.resume();
      next(err as Error);
      return;
    }
    stream.on('end', () => next());
    stream.resume();
  });
  // The first failure (hostile entry, corrupt tar) stops the whole pipeline at once.
  let failure: Error | undefined;
  const extractDone = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', (err: Error) => {
      failure ??= err;
      unpack?.destroy(err);
      reject(err);
    });
  });
  extractDone.catch(() => {}); // awaited below; this only marks it handled while we stream

  // Lazily built once the first bytes tell which decompressor to use.
  let unpack: Transform | undefined;
  let unpackDone: Promise<void> | undefined;
  const counter = new Writable({
    write(chunk: Buffer, _enc, cb) {
      // An uncompressed layer's diff ID is its blob digest: don't hash the same bytes twice.
      if (compression !== 'none') tarHash.update(chunk);
      tarSize += chunk.length;
      if (extract.write(chunk)) cb();
      else extract.once('drain', () => cb());
    },
    final(cb) {
      (extract as unknown as Writable).end();
      cb();
    },
  });

  try {
    for await (const raw of source) {
      const chunk = raw as Uint8Array;
      if (failure) throw failure;
      if (compression === undefined) {
        compression = detectCompression(chunk);
        unpack = decompressor(compression);
        unpackDone = pipeline(unpack, counter);
        unpackDone.catch(() => {}); // surfaced below
      }
      // Hand the chunk to the decompressor before waiting for the file write: both run on the
      // threadpool at once instead of one after the other. The drain listener goes on at once,
      // or a drain during the write would be missed.
      const written = writer.write(chunk);
      const drained = unpack!.write(chunk) ? undefined : drainOf(unpack!);
      drained?.catch(() => {}); // awaited below unless the write failed first
      await written;
      if (drained) await drained;
    }
    if (compression === undefined) throw new Error('layer is empty (0 bytes): not a tar archive');
    if (failure) throw failure;
    unpack!.end();
    await unpackDone;
    await extractDone;
    const blob = await writer.commit(expected);
    const diffId = compression === 'none' ? blob.digest : `sha256:${tarHash.digest('hex')}`;
    return { blob, compression, diffId, size: compression === 'none' ? blob.size : tarSize, diffSize: diffSize(files), files };
  } catch (err) {
    await writer.abort();
    unpack?.destroy();
    extract.destroy();
    throw layerError(failure ?? err);
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
    return new Error(`truncated layer: ${e.message}`);
  }
  if (/Invalid tar header/i.test(e.message)) return new Error(`layer is not a valid tar archive: ${e.message}`);
  return e;
}
