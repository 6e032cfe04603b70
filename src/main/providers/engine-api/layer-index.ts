/**
 * File indexes of an engine's image layers, as dive reads them: from the engine's export stream
 * (`GET /images/{name}/get`, a `docker save` tar), parsed as it arrives (never a whole archive or a
 * whole layer in memory), each layer identified by the sha256 of its tar (its diffId) and its index
 * cached by that digest. A layer any earlier image had (or one Strata's own store holds) is never
 * read again, so a second open of an image, or the first of one sharing its layers, needs no export.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { LayerFile } from '../../../shared/types.ts';
import { StrataError } from '../../../shared/errors.ts';
import { peek, tarEntries } from '../../engine/archive/entries.ts';
import { fileFromHeader } from '../../engine/layer/file-index.ts';
import type { Provider } from '../provider.ts';

export interface IndexedLayer {
  diffId: string;
  /** Bytes of the layer's tar. */
  tarSize: number;
  /** Sorted by path, as the store's own indexes. */
  files: LayerFile[];
}

/** A layer tar with more entries than this is refused rather than indexed (bounded memory). */
const MAX_ENTRIES = 2_000_000;
const CACHE_VERSION = 1;

type Row = [string, LayerFile['type'], number, number, number, number, string, number];

/** A tar's first block: a ustar header, or the zero block an empty layer's tar starts with. */
function isTarHeader(head: Buffer): boolean {
  if (head.length < 512) return false;
  return head.toString('latin1', 257, 262) === 'ustar' || head.subarray(0, 512).every((b) => b === 0);
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of stream) void chunk;
}

/** One layer tar's entries (headers only; bodies skipped), hashed on the way: its diffId. */
async function indexLayer(body: AsyncIterable<Uint8Array>): Promise<IndexedLayer> {
  const hash = createHash('sha256');
  let tarSize = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      tarSize += chunk.length;
      done(null, chunk);
    },
  });
  const extract = tar.extract();
  const files: LayerFile[] = [];
  const feed = pipeline(Readable.from(body, { objectMode: false }), tee, extract);
  let feedError: unknown;
  feed.catch((err: unknown) => {
    feedError = err;
  });
  for await (const entry of extract) {
    if (files.length >= MAX_ENTRIES) throw new StrataError('resource-exhausted', `layer has more than ${MAX_ENTRIES} entries`);
    const f = fileFromHeader(entry.header);
    if (f.path !== '') files.push(f);
    entry.resume();
  }
  await feed.catch(() => undefined);
  if (feedError) throw feedError;
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { diffId: `sha256:${hash.digest('hex')}`, tarSize, files };
}

export class EngineLayerIndex {
  private readonly dir: string;
  /** A layer Strata's own store indexed already (same diffId, same files), if any. */
  private readonly fromStore: (diffId: string) => IndexedLayer | undefined;
  /** One export per image at a time: two views opening the same image share it. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(cacheDir: string, fromStore: (diffId: string) => IndexedLayer | undefined = () => undefined) {
    this.dir = cacheDir;
    this.fromStore = fromStore;
  }

  private file(diffId: string): string {
    return join(this.dir, `${diffId.replace(/^sha256:/, '')}.json`);
  }

  /** The cached index of a layer, or undefined (a damaged cache file is as good as none). */
  cached(diffId: string): IndexedLayer | undefined {
    const own = this.fromStore(diffId);
    if (own) return own;
    let text: string;
    try {
      text = readFileSync(this.file(diffId), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const c = JSON.parse(text) as { v: number; tarSize: number; files: Row[] };
      if (c.v !== CACHE_VERSION || !Array.isArray(c.files)) return undefined;
      const files = c.files.map(([path, type, mode, uid, gid, size, linkTarget, mtime]) => ({ path, type, mode, uid, gid, size, linkTarget, mtime }));
      return { diffId, tarSize: c.tarSize, files };
    } catch {
      return undefined;
    }
  }

  private store(layer: IndexedLayer): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const rows: Row[] = layer.files.map((f) => [f.path, f.type, f.mode, f.uid, f.gid, f.size, f.linkTarget, f.mtime]);
    const target = this.file(layer.diffId);
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify({ v: CACHE_VERSION, tarSize: layer.tarSize, files: rows }), { mode: 0o600 });
    renameSync(tmp, target);
  }

  /**
   * The indexes of `diffIds` (an image's layers, bottom up); what is not cached is read from the
   * engine's export of `image`, streamed, and cached.
   */
  async layers(provider: Provider, image: string, diffIds: readonly string[], signal?: AbortSignal): Promise<IndexedLayer[]> {
    if (diffIds.some((d) => !this.cached(d))) {
      const key = `${provider.name}\u0000${image}`;
      let run = this.running.get(key);
      if (!run) {
        run = this.indexExport(provider, image, new Set(diffIds), signal).finally(() => this.running.delete(key));
        this.running.set(key, run);
      }
      await run;
    }
    return diffIds.map((d) => {
      const layer = this.cached(d);
      if (!layer) throw new StrataError('data-loss', `the engine's export of ${image} has no layer ${d}`);
      return layer;
    });
  }

  private async indexExport(provider: Provider, image: string, wanted: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
    const archive = await provider.saveImages([image], signal);
    try {
      for await (const entry of tarEntries(archive)) {
        if (entry.kind !== 'file') continue;
        // Layers are tars (`<id>/layer.tar`, or `blobs/sha256/…` since docker 25); configs and manifests are JSON.
        const { head, stream } = await peek(entry.body, 512);
        if (!isTarHeader(head)) {
          await drain(stream);
          continue;
        }
        const layer = await indexLayer(stream);
        if (wanted.has(layer.diffId)) this.store(layer);
      }
    } finally {
      archive.destroy();
    }
  }
}
