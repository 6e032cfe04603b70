/**
 * File indexes of an engine's image layers, as dive reads them: from the engine's export stream
 * (`GET /images/{name}/get`, a `docker save` tar), parsed as it arrives (never a whole archive or a
 * whole layer in memory), each layer identified by the sha256 of its tar (its diffId) and its index
 * cached by that digest. A layer any earlier image had (or one Strata's own store holds) is never
 * read again, so a second open of an image, or the first of one sharing its layers, needs no export.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerFile } from '../../../shared/types.ts';
import { StrataError } from '../../../shared/errors.ts';
import { fileFromHeader } from '../../engine/layer/file-index.ts';
import type { Provider } from '../provider.ts';
import { TarScanner } from '../../engine/layer/tar-scan.ts';

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

/**
 * One file of the export, read as it arrives: its first block says whether it is a layer tar; a
 * layer is hashed (its diffId) and its headers indexed, bodies skipped; anything else is skipped.
 */
class ExportedFile {
  private readonly first: Buffer[] = [];
  private firstSize = 0;
  private layer: { hash: Hash; scan: TarScanner; files: LayerFile[]; tarSize: number } | undefined;
  private skip = false;

  data(chunk: Uint8Array): void {
    if (this.layer) return this.layerBytes(chunk);
    if (this.skip) return;
    this.first.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.firstSize += chunk.length;
    if (this.firstSize >= 512) this.decide();
  }

  /** The layer this file was (undefined for a config, a manifest, a short file). */
  end(): IndexedLayer | undefined {
    if (!this.layer && !this.skip) this.decide();
    const l = this.layer;
    if (!l) return undefined;
    l.scan.finish();
    l.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { diffId: `sha256:${l.hash.digest('hex')}`, tarSize: l.tarSize, files: l.files };
  }

  private decide(): void {
    const head = Buffer.concat(this.first, this.firstSize);
    this.first.length = 0;
    if (!isTarHeader(head)) {
      this.skip = true;
      return;
    }
    const files: LayerFile[] = [];
    const scan = new TarScanner({
      entry: (header) => {
        if (files.length >= MAX_ENTRIES) throw new StrataError('resource-exhausted', `layer has more than ${MAX_ENTRIES} entries`);
        const f = fileFromHeader(header);
        if (f.path !== '') files.push(f);
      },
    });
    this.layer = { hash: createHash('sha256'), scan, files, tarSize: 0 };
    this.layerBytes(head);
  }

  private layerBytes(chunk: Uint8Array): void {
    const l = this.layer!;
    l.hash.update(chunk);
    l.tarSize += chunk.length;
    // Past the end-of-archive block a tar has only padding: hashed, not parsed.
    if (!l.scan.ended) l.scan.push(chunk);
  }
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

  /**
   * Reads the export once, both tar levels with one push parser each (no stream per entry or
   * layer), and stops as soon as every wanted layer is indexed.
   */
  private async indexExport(provider: Provider, image: string, wanted: ReadonlySet<string>, signal?: AbortSignal): Promise<void> {
    const missing = new Set([...wanted].filter((d) => !this.cached(d)));
    const archive = await provider.saveImages([image], signal);
    let file: ExportedFile | undefined;
    const endFile = (): void => {
      const layer = file?.end();
      file = undefined;
      if (layer && missing.delete(layer.diffId)) this.store(layer);
    };
    const outer = new TarScanner({
      entry: (header) => {
        endFile();
        // Layers are tars (`<id>/layer.tar`, or `blobs/sha256/…` since docker 25); configs and manifests are JSON.
        if (header.type === 'file' || header.type === 'contiguous-file') file = new ExportedFile();
      },
      data: (chunk) => file?.data(chunk),
    });
    try {
      // 'data' events, not an async iterator: the iterator's read() joins buffered chunks into new ones.
      await new Promise<void>((resolve, reject) => {
        const stop = (err?: unknown): void => {
          archive.off('data', onData);
          if (err) reject(err);
          else resolve();
        };
        const onData = (chunk: Buffer): void => {
          try {
            outer.push(chunk);
          } catch (err) {
            stop(err);
            return;
          }
          // A file is complete when the next header arrives: stored then; none missing, the rest is not read.
          if (outer.ended || missing.size === 0) stop();
        };
        archive.on('data', onData);
        archive.once('end', () => stop());
        archive.once('error', stop);
      });
      if (missing.size > 0) {
        outer.finish();
        endFile();
      }
    } finally {
      archive.destroy();
    }
  }
}
