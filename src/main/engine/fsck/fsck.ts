import { createReadStream } from 'node:fs';
import type { DB } from '../metadata/db.ts';
import type { ContentStore } from '../store/content-store.ts';
import { sha256Hasher, chainIds } from '../store/digest.ts';
import type { ImageConfig } from '../image/oci.ts';
import type { GarbageCollector } from '../gc/gc.ts';

export interface FsckProblem {
  /** What is wrong, in one line naming the object. */
  message: string;
  object: string;
}

export interface FsckReport {
  blobsChecked: number;
  imagesChecked: number;
  problems: FsckProblem[];
  /** Not errors: blob files no row names yet (a crash between rename and commit); gc removes them. */
  unreferencedFiles: string[];
}

/**
 * Verifies the store: every blob row has a file whose sha256 and size match; every image's
 * config, manifest and layers exist; the config's diff IDs are the image's layers in order with
 * the right chain IDs; the database passes SQLite's own integrity and foreign-key checks.
 */
export async function fsck(db: DB, content: ContentStore, gc: GarbageCollector): Promise<FsckReport> {
  const problems: FsckProblem[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') problems.push({ object: 'database', message: `database integrity check failed: ${String(integrity)}` });
  for (const fk of db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) {
    problems.push({ object: `${fk.table}#${fk.rowid}`, message: `${fk.table} row ${fk.rowid} references a missing ${fk.parent} row` });
  }

  const blobs = db.prepare('SELECT digest, size FROM blobs ORDER BY digest').all() as { digest: string; size: number }[];
  for (const b of blobs) {
    const size = content.size(b.digest);
    if (size === undefined) {
      problems.push({ object: b.digest, message: `blob ${b.digest} is recorded but its file is missing` });
      continue;
    }
    if (size !== b.size) problems.push({ object: b.digest, message: `blob ${b.digest} has ${size} bytes, recorded ${b.size}` });
    const actual = await hashFile(content.path(b.digest));
    if (actual !== b.digest) problems.push({ object: b.digest, message: `blob ${b.digest} is corrupt: its content hashes to ${actual}` });
  }

  const images = db.prepare('SELECT id FROM images ORDER BY id').all() as { id: string }[];
  for (const { id } of images) {
    if (!content.has(id)) continue; // reported above as a missing blob
    let config: ImageConfig;
    try {
      config = JSON.parse(content.readBytes(id).toString('utf8')) as ImageConfig;
    } catch {
      problems.push({ object: id, message: `image ${id}: config is not valid JSON` });
      continue;
    }
    const layers = db.prepare('SELECT diff_id, chain_id, blob_digest FROM image_layers WHERE image_id = ? ORDER BY position').all(id) as {
      diff_id: string; chain_id: string; blob_digest: string;
    }[];
    const diffIds = config.rootfs?.diff_ids ?? [];
    const chains = chainIds(diffIds);
    if (diffIds.length !== layers.length) {
      problems.push({ object: id, message: `image ${id}: config lists ${diffIds.length} layers, store has ${layers.length}` });
    }
    layers.forEach((l, i) => {
      if (l.diff_id !== diffIds[i]) problems.push({ object: id, message: `image ${id}: layer ${i} is ${l.diff_id}, config says ${diffIds[i]}` });
      if (l.chain_id !== chains[i]) problems.push({ object: id, message: `image ${id}: layer ${i} has chain ID ${l.chain_id}, expected ${chains[i]}` });
    });
  }

  return { blobsChecked: blobs.length, imagesChecked: images.length, problems, unreferencedFiles: await gc.orphanFiles() };
}

async function hashFile(path: string): Promise<string> {
  const h = sha256Hasher();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}
