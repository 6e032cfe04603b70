import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import type { Stores } from '../stores.ts';
import type { BlobRef } from '../store/content-store.ts';
import { sha256Hasher } from '../store/digest.ts';
import type { Compression } from '../image/oci.ts';
import { decompressor } from './layer-ingest.ts';
import { shortId } from '../../../shared/format.ts';
import { StrataError } from '../../../shared/errors.ts';

/** The layer to compress: its diff ID and the stored blob it is read from. */
export interface LayerSource {
  diffId: string;
  blobDigest: string;
  compression: Compression;
  /** Uncompressed tar bytes. */
  size: number;
}

const CHUNK = 256 * 1024;

/**
 * The compressor docker uses for each: gzip at Go's default level (6, zlib's default too), zstd at
 * BuildKit's default level (3, zstd's default).
 */
export function compressor(compression: 'gzip' | 'zstd'): Transform {
  if (compression === 'gzip') return zlib.createGzip({ level: zlib.constants.Z_DEFAULT_COMPRESSION, chunkSize: CHUNK });
  return zlib.createZstdCompress({ chunkSize: CHUNK, params: { [zlib.constants.ZSTD_c_compressionLevel]: 3 } });
}

/**
 * Writes the `compression` form of a stored layer into the content store in one streaming pass:
 * the stored blob is read (and decompressed if it is another form), its tar hashed against the
 * diff ID, compressed, and written to an ingest file that is hashed as it grows (the compressed
 * digest); only a tar that checks out is fsynced and renamed into place. The caller records it
 * (`ImageService.recordLayerForm`) under the lease it holds.
 */
export async function compressLayer(stores: Pick<Stores, 'content'>, layer: LayerSource, compression: 'gzip' | 'zstd'): Promise<BlobRef> {
  const writer = await stores.content.writer();
  const tarHash = sha256Hasher();
  let tarSize = 0;
  const checked = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      tarHash.update(chunk);
      tarSize += chunk.length;
      cb(null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writer.write(chunk).then(() => cb(), cb);
    },
  });
  try {
    await pipeline(stores.content.read(layer.blobDigest, { highWaterMark: 1 << 20 }), decompressor(layer.compression), checked, compressor(compression), sink);
    const diffId = `sha256:${tarHash.digest('hex')}`;
    if (diffId !== layer.diffId || tarSize !== layer.size) {
      throw new StrataError('data-loss', `layer ${shortId(layer.diffId)} is corrupt in the store: its tar hashes to ${diffId} (${tarSize} bytes); run 'strata fsck'`);
    }
    return await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
