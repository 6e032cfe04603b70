/**
 * The stored forms of a layer (docs/store.md, "One copy per layer"). A layer, named by its diff
 * ID, may arrive as a plain tar (load, import, build), gzip or zstd (pull, push). The plain tar
 * can always be rebuilt byte for byte from a compressed form — decompress and check the diff ID —
 * while a compressed blob cannot be rebuilt from the tar (another compressor, another digest). So
 * once a layer has a compressed form, that form is its copy: the plain tar's rows go, the images
 * that named it are pointed at the compressed blob, and its file is removed (right away when no
 * other operation is in flight, else by the next `system gc`, which shows it as reclaimable).
 * Two compressed forms (gzip and zstd) are both kept, and `system df -v` counts the second one.
 */
import type { DB } from '../metadata/db.ts';
import type { ContentStore } from '../store/content-store.ts';
import type { Compression } from '../image/oci.ts';

export interface LayerForm {
  blobDigest: string;
  blobSize: number;
  compression: Compression;
  mediaType: string;
}

/**
 * The compressed form a layer is kept as, when it has one whose file is present: gzip first
 * (docker's default, what every registry and tool reads), then zstd.
 */
export function compressedForm(db: DB, content: ContentStore, diffId: string): LayerForm | undefined {
  const rows = db
    .prepare(
      `SELECT lb.blob_digest, lb.compression, b.size, b.media_type FROM layer_blobs lb JOIN blobs b ON b.digest = lb.blob_digest
       WHERE lb.diff_id = ? AND lb.compression != 'none' ORDER BY lb.compression = 'gzip' DESC, lb.blob_digest`,
    )
    .all(diffId) as { blob_digest: string; compression: Compression; size: number; media_type: string }[];
  const r = rows.find((row) => content.has(row.blob_digest));
  return r && { blobDigest: r.blob_digest, blobSize: r.size, compression: r.compression, mediaType: r.media_type };
}

/** A form of the layer in exactly this compression, if one is stored. */
export function formIn(db: DB, content: ContentStore, diffId: string, compression: Compression): LayerForm | undefined {
  const r = db
    .prepare(
      `SELECT lb.blob_digest, b.size, b.media_type FROM layer_blobs lb JOIN blobs b ON b.digest = lb.blob_digest
       WHERE lb.diff_id = ? AND lb.compression = ? ORDER BY lb.blob_digest`,
    )
    .all(diffId, compression) as { blob_digest: string; size: number; media_type: string }[];
  const row = r.find((x) => content.has(x.blob_digest));
  return row && { blobDigest: row.blob_digest, blobSize: row.size, compression, mediaType: row.media_type };
}

/** The form a layer is read from: its compressed form when it has one, else its plain tar. */
export function keptForm(db: DB, content: ContentStore, diffId: string): LayerForm | undefined {
  return compressedForm(db, content, diffId) ?? formIn(db, content, diffId, 'none');
}

/**
 * Drops the plain-tar form of each layer that also has a compressed one: image layers naming the
 * tar are pointed at the compressed blob, and the tar's rows are deleted (its file is then
 * unreferenced). Call inside the transaction that recorded the forms. Returns the tar digests
 * whose rows went; the caller removes their files once its lease is released.
 */
export function supersedePlainForms(db: DB, content: ContentStore, diffIds: Iterable<string>): string[] {
  const dropped: string[] = [];
  const plain = db.prepare("SELECT blob_digest FROM layer_blobs WHERE diff_id = ? AND compression = 'none'");
  const repoint = db.prepare('UPDATE image_layers SET blob_digest = ? WHERE blob_digest = ?');
  const dropForm = db.prepare('DELETE FROM layer_blobs WHERE blob_digest = ?');
  // A config or manifest that happens to have the same bytes keeps its row.
  const dropBlob = db.prepare(
    'DELETE FROM blobs WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM images WHERE id = ? OR manifest_digest = ?)',
  );
  for (const diffId of new Set(diffIds)) {
    const tars = plain.all(diffId) as { blob_digest: string }[];
    if (tars.length === 0) continue;
    const kept = compressedForm(db, content, diffId);
    if (!kept) continue;
    for (const { blob_digest: tar } of tars) {
      repoint.run(kept.blobDigest, tar);
      dropForm.run(tar);
      dropBlob.run(tar, tar, tar);
      dropped.push(tar);
    }
  }
  return dropped;
}
