/**
 * The layer tar of a COPY, ADD or WORKDIR, written as the builder plans it (copy.ts): entries in
 * path order, no user/group names, file contents read through descriptors opened without
 * following links. Loaded on first use (copy.ts `writeLayer`).
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import type { Stores } from '../stores.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { openRegularFile, streamOpened } from './context-file.ts';
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

const TAR_SPECIAL = { fifo: 'fifo', char: 'character-device', block: 'block-device' } as const;

/**
 * One regular file into the layer: opened without following links, its size taken from the
 * opened descriptor and exactly that many bytes streamed (a FIFO or a swapped-in link is refused).
 */
async function packFile(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, source: string): Promise<void> {
  const f = openRegularFile(source);
  await new Promise<void>((resolve, reject) => {
    const w = pack.entry({ ...header, type: 'file', size: f.size }, (err) => (err ? reject(err) : resolve()));
    pipeline(streamOpened(f), w).catch(reject);
  });
}

const WRITE_BYTES = 1 << 20;

/**
 * The tar writer emits a header, the content and the padding of each entry as pieces of their own;
 * each would be one write to the ingest file (a thread-pool round trip) and one pass through the
 * ingest's hashing and parsing. Joined up to 1 MiB, a COPY of a few small files is one write.
 */
async function* coalesced(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    bytes += chunk.length;
    if (bytes >= WRITE_BYTES) {
      yield Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield Buffer.concat(parts, bytes);
}

/** Writes entries (already sorted) as a layer tar straight into the content store. */
export async function writeLayer(engine: Stores, entries: readonly LayerEntry[]): Promise<WrittenLayer> {
  const pack = tar.pack();
  const producing = (async () => {
    for (const e of entries) {
      const header = {
        name: e.type === 'dir' ? `${e.path}/` : e.path,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        uname: '',
        gname: '',
        mtime: new Date(e.mtime * 1000),
      };
      if (e.type === 'dir') pack.entry({ ...header, type: 'directory' });
      else if (e.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: e.linkTarget });
      else if (e.type === 'file') await packFile(pack, header, e.source!);
      else pack.entry({ ...header, type: TAR_SPECIAL[e.type], devmajor: e.devmajor ?? 0, devminor: e.devminor ?? 0 });
    }
    pack.finalize();
  })();
  producing.catch((err: Error) => pack.destroy(err));
  const layer = await ingestLayer(engine.content, coalesced(pack as unknown as Readable));
  await producing;
  return { blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files };
}
