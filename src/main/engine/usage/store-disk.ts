import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Stores } from '../stores.ts';
import type { StoreDiskUsage } from '../../../shared/types.ts';
import { subdirOrUndefined, walkSubdir, walkTree, type PinnedDir, type TreeVisitor } from '../snapshot/safe-path.ts';
import { isBlobName } from '../store/content-store.ts';
import { SNAPSHOT_GRACE_MS } from '../snapshot/grace.ts';

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
 * One walk of the store for the whole and its parts, as `allocated` counts each: the root as a
 * whole, each directory with a figure of its own, and everything else at the top (metadata)
 * together. A top-level entry on another filesystem than the root (a mount) is counted on its own,
 * as `allocated` would. Walking the blobs once instead of twice is most of `system df -v`; the
 * names in `blobs/sha256` come with it (undefined when the walk did not enter it: a mount, a link).
 */
function walkStore(root: string): { total: number; part: (name: string) => number; metadata: number; blobNames: string[] | undefined } {
  let rootSt: Stats;
  try {
    rootSt = lstatSync(root);
  } catch {
    return { total: 0, part: () => 0, metadata: 0, blobNames: undefined };
  }
  let blobNames: string[] | undefined;
  const total = new AllocatedCount();
  const parts = new Map<string, AllocatedCount>();
  const countOf = (group: string): AllocatedCount => {
    let c = parts.get(group);
    if (!c) parts.set(group, (c = new AllocatedCount()));
    return c;
  };
  const mounted: string[] = [];
  total.add(rootSt);
  const visit: TreeVisitor = (rel, st, dir, name) => {
    const slash = rel.indexOf('/');
    const top = slash === -1 ? rel : rel.slice(0, slash);
    if (st.dev !== rootSt.dev) {
      if (slash === -1) mounted.push(top);
      return false;
    }
    total.add(st);
    countOf(OWN_FIGURE.has(top) ? top : '').add(st);
    if (rel !== BLOB_DIR || !st.isDirectory()) return st.isDirectory();
    blobNames = walkBlobDir(dir, name, rootSt.dev, visit, [total, countOf('blobs')]);
    return false;
  };
  try {
    walkTree(root, visit);
  } catch {
    /* removed meanwhile; the blob files then listed again on their own */
    blobNames = undefined;
  }
  const own = new Map<string, number>();
  for (const top of mounted) own.set(top, allocated(join(root, top)));
  const metadata = (parts.get('')?.total ?? 0) + mounted.filter((t) => !OWN_FIGURE.has(t)).reduce((n, t) => n + own.get(t)!, 0);
  return { total: total.total, part: (name) => own.get(name) ?? parts.get(name)?.total ?? 0, metadata, blobNames };
}

const BLOB_DIR = 'blobs/sha256';

/**
 * The blob directory: thousands of files and nothing else, each counted (in `counts`) and named
 * (gc's orphan check takes the names) in one loop of their own. A regular file with one link adds
 * its blocks, no inode to remember, as `AllocatedCount.add` would; anything else goes through
 * `add`, and what lies below a directory there through the store's visitor. undefined when the
 * directory is gone meanwhile.
 */
function walkBlobDir(parent: PinnedDir, name: string, dev: number, visit: TreeVisitor, counts: AllocatedCount[]): string[] | undefined {
  const blobs = subdirOrUndefined(parent, name);
  if (!blobs) return undefined;
  const names: string[] = [];
  let blocks = 0;
  try {
    blobs.lstatEntries((entry, st) => {
      if (st.dev !== dev) return;
      names.push(entry);
      if (st.nlink === 1 && st.isFile()) {
        blocks += st.blocks;
        return;
      }
      for (const c of counts) c.add(st);
      if (st.isDirectory()) walkSubdir(blobs, entry, `${BLOB_DIR}/${entry}`, visit);
    });
  } finally {
    blobs.close();
  }
  for (const c of counts) c.total += blocks * 512;
  return names;
}

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
  const buildTmp = join(root, 'build-tmp');
  const store = walkStore(root);
  const blobsInStore = resolve(engine.content.root) === join(resolve(root), 'blobs');
  // The walk has just listed the blob files: gc checks those names instead of reading the directory again.
  const orphans = await engine.gc.orphanFiles(blobsInStore ? store.blobNames : undefined);
  const unreferenced = [...engine.gc.unreferencedBlobs().map((b) => b.digest), ...orphans];
  return {
    total: store.total,
    blobs: blobsInStore ? store.part('blobs') : allocated(engine.content.root),
    snapshots: store.part('snapshots'),
    containers: store.part('containers'),
    buildCache: allocated(...cacheOnly.map(blobFile), buildTmp),
    metadata: store.metadata,
    secondForms: allocated(...secondForms.map(blobFile)),
    gcReclaimable: allocated(...unreferenced.map(blobFile), ...unusedSnapshots(engine)),
  };
}

/** Directories with a figure of their own; everything else at the top is metadata. */
const OWN_FIGURE = new Set(['blobs', 'snapshots', 'containers', 'build-tmp']);

/** Snapshot directories `system gc` removes: no image's or container's layer stack has them, and not made just now. */
function unusedSnapshots(engine: Stores): string[] {
  const dir = join(engine.root, 'snapshots');
  let names: string[];
  try {
    names = readdirSync(dir).filter(isBlobName);
  } catch {
    return [];
  }
  const inUse = engine.references.chainsInUse();
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
