import type { DB } from '../metadata/db.ts';
import { isBlobName, processAlive, type ContentStore } from '../store/content-store.ts';
import type { EventLog } from '../events/event-log.ts';
import type { References } from '../references/references.ts';

export interface GcResult {
  layersRemoved: string[];
  /** docker's figure for what went: the removed layers' diff sizes (moby's prune SpaceReclaimed). */
  layerBytesFreed: number;
  blobsRemoved: string[];
  /** Bytes of blob files unlinked from `blobs/` (compressed as stored, configs and manifests too). */
  bytesFreed: number;
}

/**
 * Mark and sweep over metadata, then files. Layers no image (or other root) uses go first, then
 * blob rows nothing references, then blob files with no row (left by a crash between rename and
 * commit) — but never files younger than a live lease, which an ingest in progress may own.
 * The row deletions are one transaction; files are unlinked after it commits, so a crash in
 * between only leaves unreferenced files for the next run.
 */
export class GarbageCollector {
  private readonly db: DB;
  private readonly content: ContentStore;
  private readonly events: EventLog;
  /** Other services' roots: what their rows keep (build cache layers, …). */
  private readonly references: References;

  constructor(db: DB, content: ContentStore, events: EventLog, references: References) {
    this.db = db;
    this.content = content;
    this.events = events;
    this.references = references;
  }

  /** Runs `fn` under a lease that protects content it writes before recording it. */
  async withLease<T>(fn: () => Promise<T>): Promise<T> {
    const id = process.getBuiltinModule('node:crypto').randomBytes(8).toString('hex');
    this.db.prepare('INSERT INTO leases(id, pid, created_at) VALUES (?, ?, ?)').run(id, process.pid, Date.now() - 1000);
    try {
      return await fn();
    } finally {
      this.db.prepare('DELETE FROM leases WHERE id = ?').run(id);
    }
  }

  private layerRootsSql(): string {
    return ['SELECT diff_id FROM image_layers', ...this.references.layerRoots()].join(' UNION ');
  }

  /**
   * SELECTs of the blob digests something keeps, one per source. A blob is unreferenced when it is
   * in none of them: one `NOT IN` each, which SQLite answers through the column's own index where
   * there is one (image IDs, layers' blobs) instead of a temporary index of them all.
   */
  private blobRootsSql(): string[] {
    return [
      'SELECT id FROM images',
      'SELECT manifest_digest FROM images WHERE manifest_digest IS NOT NULL',
      'SELECT blob_digest FROM image_layers',
      `SELECT lb.blob_digest FROM layer_blobs lb WHERE lb.diff_id IN (${this.layerRootsSql()})`,
      ...this.references.blobRoots(),
    ];
  }

  /** Layers no root uses (what a collection would remove), with docker's size of each. */
  unreferencedLayers(): { diffId: string; diffSize: number }[] {
    return this.db.prepare(`SELECT diff_id AS diffId, diff_size AS diffSize FROM layers WHERE diff_id NOT IN (${this.layerRootsSql()})`).all() as { diffId: string; diffSize: number }[];
  }

  /** Unreferenced layers and blobs (what a collection would remove), for previews. */
  unreferencedBlobs(): { digest: string; size: number }[] {
    const unreferenced = this.blobRootsSql().map((sql) => `digest NOT IN (${sql})`).join(' AND ');
    return this.db.prepare(`SELECT digest, size FROM blobs WHERE ${unreferenced}`).all() as { digest: string; size: number }[];
  }

  async collect(): Promise<GcResult> {
    this.reapDeadLeases();
    const sweep = this.db.transaction(() => {
      const unused = this.unreferencedLayers();
      const layers = unused.map((l) => l.diffId);
      const layerBytes = unused.reduce((n, l) => n + l.diffSize, 0);
      const delLayerBlobs = this.db.prepare('DELETE FROM layer_blobs WHERE diff_id = ?');
      const delLayer = this.db.prepare('DELETE FROM layers WHERE diff_id = ?');
      for (const d of layers) {
        delLayerBlobs.run(d);
        delLayer.run(d);
        this.events.record({ type: 'layer', action: 'delete', id: d });
      }
      const blobs = this.unreferencedBlobs();
      const delBlob = this.db.prepare('DELETE FROM blobs WHERE digest = ?');
      for (const b of blobs) delBlob.run(b.digest);
      return { layers, layerBytes, blobs };
    });
    const { layers, layerBytes, blobs } = sweep.immediate();
    let bytesFreed = 0;
    // Each file goes under the write lock, and only if no row names it again: an ingest that
    // found the same content already on disk may have recorded it since the sweep. A file
    // touched since the oldest live lease began is kept too: an ingest in progress deduplicated
    // into it (BlobWriter refreshes its mtime) and will record it; if not, the orphan sweep of a
    // later run removes it.
    const oldestLease = this.db.prepare('SELECT min(created_at) AS t FROM leases');
    const unlink = this.db.transaction((digest: string): number => {
      if (this.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(digest)) return 0;
      const lease = (oldestLease.get() as { t: number | null }).t;
      const mtime = this.content.mtimeMsSync(digest);
      if (lease !== null && mtime !== undefined && mtime >= lease) return 0;
      const size = this.content.size(digest) ?? 0;
      this.content.delete(digest);
      return size;
    });
    for (const b of blobs) bytesFreed += unlink.immediate(b.digest);
    const orphans = await this.sweepOrphanFiles();
    bytesFreed += orphans.bytes;
    return { layersRemoved: layers, layerBytesFreed: layerBytes, blobsRemoved: [...blobs.map((b) => b.digest), ...orphans.digests], bytesFreed };
  }

  /**
   * Blob files on disk that no row names. `names`: the blob directory's listing when the caller
   * has just read it (system df -v walks the store anyway).
   */
  async orphanFiles(names?: readonly string[]): Promise<string[]> {
    const listed = names ?? (await this.content.list()).map((d) => d.slice('sha256:'.length));
    // SQLite looks each name up in its index: only the names no row has come back to JS, not a
    // row per blob (a store of 1,000 images holds ≈ 3,000).
    const unknown = this.db
      .prepare("SELECT value FROM json_each(?) WHERE 'sha256:' || value NOT IN (SELECT digest FROM blobs) ORDER BY key")
      .pluck()
      .all(JSON.stringify(listed)) as string[];
    return unknown.filter(isBlobName).map((n) => `sha256:${n}`);
  }

  private async sweepOrphanFiles(): Promise<{ digests: string[]; bytes: number }> {
    const oldestLease = this.db.prepare('SELECT min(created_at) AS t FROM leases');
    const digests: string[] = [];
    let bytes = 0;
    for (const d of await this.orphanFiles()) {
      // Decide under the write lock, reading the leases there too: an ingest takes its lease
      // (a committed row) before it writes a byte, so a lease we can't see yet means the file
      // is older than that ingest; a row recorded since we listed keeps the file.
      const removed = this.db.transaction(() => {
        if (this.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(d)) return false;
        const mtime = this.content.mtimeMsSync(d);
        if (mtime === undefined) return false;
        const lease = (oldestLease.get() as { t: number | null }).t;
        if (lease !== null && mtime >= lease) return false;
        bytes += this.content.size(d) ?? 0;
        this.content.delete(d);
        return true;
      }).immediate();
      if (removed) digests.push(d);
    }
    await this.content.cleanIngest();
    return { digests, bytes };
  }

  /** Leases whose process is gone (crashed) protect nothing. */
  private reapDeadLeases(): void {
    const leases = this.db.prepare('SELECT id, pid FROM leases').all() as { id: string; pid: number }[];
    for (const l of leases) {
      if (!processAlive(l.pid)) this.db.prepare('DELETE FROM leases WHERE id = ?').run(l.id);
    }
  }
}

