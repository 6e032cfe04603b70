import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Stores } from '../stores.ts';
import type { StoreDiskUsage } from '../../../shared/types.ts';
import { walkTree } from '../snapshot/safe-path.ts';
import { SNAPSHOT_GRACE_MS } from '../snapshot/snapshotter.ts';

/**
 * Bytes allocated on disk, counted as `du` counts them: st_blocks × 512 of every entry (the
 * directory itself included), each hard-linked inode once per count, never through a symlink and
 * never into another filesystem (`du -x`: a container's mounts are not the store's).
 */
class AllocatedCount {
  private readonly seen = new Set<string>();
  total = 0;

  add(st: Stats): void {
    if (!st.isDirectory() && st.nlink > 1) {
      const inode = `${st.dev}:${st.ino}`;
      if (this.seen.has(inode)) return;
      this.seen.add(inode);
    }
    this.total += st.blocks * 512;
  }

  /** A file or a whole tree. Gone meanwhile: nothing. */
  path(path: string): this {
    let top: Stats;
    try {
      top = lstatSync(path);
    } catch {
      return this;
    }
    this.add(top);
    if (!top.isDirectory()) return this;
    try {
      walkTree(path, (_rel, st) => {
        if (st.dev !== top.dev) return false;
        this.add(st);
        return st.isDirectory();
      });
    } catch {
      /* removed meanwhile */
    }
    return this;
  }
}

const allocated = (...paths: string[]): number => paths.reduce((c, p) => c.path(p), new AllocatedCount()).total;

/**
 * What the store really occupies on disk, beside docker's logical figures (docs/store.md, "Disk
 * figures"): blob files, unpacked snapshots, containers' writable layers, the build cache's own
 * layers and scratch, the metadata database; which blob files are a layer's second compressed
 * form; and what `strata system gc` would free now.
 */
export async function storeDiskUsage(engine: Stores): Promise<StoreDiskUsage> {
  const root = engine.root;
  const blobFile = (d: string): string => engine.content.path(d);
  const digests = (sql: string): string[] => (engine.db.prepare(sql).all() as { d: string }[]).map((r) => r.d);
  const cacheOnly = digests(
    `SELECT DISTINCT lb.blob_digest AS d FROM layer_blobs lb
     WHERE lb.diff_id IN (SELECT diff_id FROM build_cache WHERE diff_id IS NOT NULL) AND lb.diff_id NOT IN (SELECT diff_id FROM image_layers)`,
  );
  const secondForms = digests(
    `SELECT lb.blob_digest AS d FROM layer_blobs lb
     WHERE lb.blob_digest NOT IN (SELECT blob_digest FROM image_layers)
       AND EXISTS (SELECT 1 FROM layer_blobs o WHERE o.diff_id = lb.diff_id AND o.blob_digest != lb.blob_digest)`,
  );
  const unreferenced = [...engine.gc.unreferencedBlobs().map((b) => b.digest), ...(await engine.gc.orphanFiles())];
  const buildTmp = join(root, 'build-tmp');
  return {
    total: allocated(root),
    blobs: allocated(engine.content.root),
    snapshots: allocated(join(root, 'snapshots')),
    containers: allocated(join(root, 'containers')),
    buildCache: allocated(...cacheOnly.map(blobFile), buildTmp),
    metadata: allocated(...otherEntries(root)),
    secondForms: allocated(...secondForms.map(blobFile)),
    gcReclaimable: allocated(...unreferenced.map(blobFile), ...unusedSnapshots(engine)),
  };
}

/** Directories with a figure of their own; everything else at the top is metadata. */
const OWN_FIGURE = new Set(['blobs', 'snapshots', 'containers', 'build-tmp']);

/** The database, its write-ahead log, its reserve file and what other services keep at the top. */
function otherEntries(root: string): string[] {
  try {
    return readdirSync(root).filter((n) => !OWN_FIGURE.has(n)).map((n) => join(root, n));
  } catch {
    return [];
  }
}

/** Snapshot directories `system gc` removes: no image's layer stack has them, and not made just now. */
function unusedSnapshots(engine: Stores): string[] {
  const dir = join(engine.root, 'snapshots');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^[a-f0-9]{64}$/.test(n));
  } catch {
    return [];
  }
  const inUse = new Set((engine.db.prepare('SELECT DISTINCT chain_id FROM image_layers').all() as { chain_id: string }[]).map((r) => r.chain_id));
  const olderThan = Date.now() - SNAPSHOT_GRACE_MS;
  return names
    .filter((n) => !inUse.has(`sha256:${n}`))
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return lstatSync(p).mtimeMs < olderThan;
      } catch {
        return false;
      }
    });
}
