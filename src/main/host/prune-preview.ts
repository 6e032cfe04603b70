/**
 * What `image prune` would do, computed before the user confirms: the same candidates as the
 * engine's pruneImages (children before parents, images a container uses kept) and the exact bytes
 * its gc run would free. The bytes come from the store itself: the candidates' rows are deleted
 * inside a transaction that is always rolled back, and gc's own query lists the blobs that would
 * then be unreferenced.
 */
import type { Engine } from '../engine/engine.ts';
import { listImages } from '../engine/image/list.ts';
import type { PrunePreview } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';

/** Thrown to undo the preview's deletions: the transaction only measures. */
class Rollback extends StrataError {
  constructor() {
    super('canceled', 'prune preview rolled back');
  }
}

function candidates(engine: Engine, all: boolean): string[] {
  const pending = listImages(engine, { all: true })
    .filter((img) => all || img.repoTags.length === 0)
    .filter((img) => engine.images.usersOf(img.id).length === 0)
    .map((img) => img.id);
  const doomed = new Set<string>();
  // An image goes once all its children have gone (pruneImages retries until nothing moves).
  for (let moved = true; moved; ) {
    moved = false;
    for (const id of pending) {
      if (doomed.has(id)) continue;
      if (engine.images.children(id).every((c) => doomed.has(c))) {
        doomed.add(id);
        moved = true;
      }
    }
  }
  return pending.filter((id) => doomed.has(id));
}

export function prunePreview(engine: Engine, all: boolean): PrunePreview {
  const ids = candidates(engine, all);
  const byId = new Map(listImages(engine, { all: true }).map((i) => [i.id, i]));
  let spaceReclaimed = 0;
  try {
    engine.db.transaction(() => {
      const del = engine.db.prepare('DELETE FROM images WHERE id = ?');
      for (const id of ids) del.run(id);
      spaceReclaimed = engine.gc.unreferencedBlobs().reduce((n, b) => n + (engine.content.size(b.digest) ?? b.size), 0);
      throw new Rollback();
    })();
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return {
    images: ids.map((id) => ({ id, repoTags: byId.get(id)?.repoTags ?? [], size: byId.get(id)?.size ?? 0 })),
    spaceReclaimed,
  };
}
