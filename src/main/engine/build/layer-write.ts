/**
 * The layer tar of a COPY, ADD or WORKDIR, written as the builder plans it (copy.ts): entries in
 * path order, no user/group names, file contents read through descriptors opened without
 * following links. Loaded on first use (copy.ts `writeLayer`).
 */
import { closeSync, readSync } from 'node:fs';
import type { Stores } from '../stores.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { openRegularFile } from './context-file.ts';
import { layerTarHeader } from './layer-tar.ts';
import { BLOCK, END_OF_ARCHIVE, paddingSize } from '../archive/tar-blocks.ts';
import { StrataError } from '../../../shared/errors.ts';
import type { LayerFile } from '../api.ts';
import type { LayerInput } from '../image/image-service.ts';
import type { SourceMeta } from './context.ts';

export interface LayerEntry {
  /** Image path without the leading slash. */
  path: string;
  type: SourceMeta['type'];
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkTarget: string;
  /** Host file holding the content (files only). */
  source?: string;
  devmajor?: number;
  devminor?: number;
}

export interface WrittenLayer extends LayerInput {
  files: LayerFile[];
}

/** Bytes the layer is handed to the ingest in: a COPY of a few small files is one write. */
const WRITE_BYTES = 1 << 20;

/**
 * The layer tar in pieces of WRITE_BYTES: headers (layer-tar.ts), contents and padding joined
 * into one buffer, each a write to the ingest file (a thread-pool round trip) and one pass
 * through its hashing and parsing.
 */
class Pieces {
  private buf = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;

  /** Room left in the current piece. */
  room(): number {
    return WRITE_BYTES - this.used;
  }

  /** Appends `bytes` (any length); returns the pieces it filled. */
  add(bytes: Uint8Array): Buffer[] {
    const full: Buffer[] = [];
    for (let at = 0; at < bytes.length;) {
      const n = Math.min(this.room(), bytes.length - at);
      this.buf.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      if (this.room() === 0) full.push(this.take());
    }
    return full;
  }

  /** Appends `n` zero bytes (n < one block). */
  zeros(n: number): Buffer[] {
    return this.add(ZEROS.subarray(0, n));
  }

  /** Reads up to `n` bytes of `fd` at `position` straight into the piece; returns how many. */
  read(fd: number, n: number, position: number): number {
    return readSync(fd, this.buf, this.used, Math.min(n, this.room()), position);
  }

  advance(n: number): Buffer | undefined {
    this.used += n;
    return this.room() === 0 ? this.take() : undefined;
  }

  take(): Buffer {
    const piece = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(WRITE_BYTES);
    this.used = 0;
    return piece;
  }
}

const ZEROS = Buffer.alloc(BLOCK);

/**
 * One regular file's content: opened without following links, its size taken from the opened
 * descriptor and exactly that many bytes read (a FIFO or a swapped-in link is refused; a file
 * that shrank meanwhile fails the step, as a short entry would corrupt the tar).
 */
function* fileContent(pieces: Pieces, source: string, size: number, fd: number): Generator<Buffer> {
  for (let done = 0; done < size;) {
    const got = pieces.read(fd, size - done, done);
    if (got === 0) throw new StrataError('invalid', `${source}: file changed size while it was copied`);
    done += got;
    const full = pieces.advance(got);
    if (full) yield full;
  }
  yield* pieces.zeros(paddingSize(size));
}

/**
 * The layer tar of `entries` (already sorted), in pieces. Contents are read synchronously: the
 * ingest writes each piece on the thread pool meanwhile, and a small file costs no round trip.
 */
async function* layerTar(entries: readonly LayerEntry[]): AsyncGenerator<Buffer> {
  const pieces = new Pieces();
  for (const e of entries) {
    const header = { name: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: 0, mtime: e.mtime, linkname: e.type === 'symlink' ? e.linkTarget : '', devmajor: e.devmajor ?? 0, devminor: e.devminor ?? 0 };
    if (e.type !== 'file') {
      yield* pieces.add(layerTarHeader(header));
      continue;
    }
    const f = openRegularFile(e.source!);
    try {
      yield* pieces.add(layerTarHeader({ ...header, size: f.size }));
      yield* fileContent(pieces, e.source!, f.size, f.fd);
    } finally {
      closeSync(f.fd);
    }
  }
  yield* pieces.add(END_OF_ARCHIVE);
  if (pieces.room() < WRITE_BYTES) yield pieces.take();
}

/** Writes entries (already sorted) as a layer tar straight into the content store. */
export async function writeLayer(engine: Stores, entries: readonly LayerEntry[]): Promise<WrittenLayer> {
  const layer = await ingestLayer(engine.content, layerTar(entries));
  return { blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files };
}
