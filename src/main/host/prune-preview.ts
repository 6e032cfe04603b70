/**
 * What each prune would do, computed before the user confirms, with the figure the prune itself
 * then reports: `image prune [-a]` (the same candidates as the engine's pruneImages: children
 * before parents, images a container uses kept), `container prune` and `builder prune -a`. Image
 * bytes come from the store itself: the candidates' rows are deleted inside a transaction that is
 * always rolled back, and gc's own queries list the layers and blobs that would then go.
 */
import type { Engine } from '../engine/engine.ts';
import { listImages } from '../engine/image/list.ts';
import { pruneImages } from '../engine/image/prune.ts';
import { BuildCache } from '../engine/build/cache.ts';
import type { PruneAction, PruneActions, PrunePreview } from '../../shared/contract.ts';

class Rollback extends Error {}

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
  let storedBytes = 0;
  try {
    engine.db.transaction(() => {
      const del = engine.db.prepare('DELETE FROM images WHERE id = ?');
      for (const id of ids) del.run(id);
      spaceReclaimed = engine.gc.unreferencedLayers().reduce((n, l) => n + l.diffSize, 0);
      storedBytes = engine.gc.unreferencedBlobs().reduce((n, b) => n + (engine.content.size(b.digest) ?? b.size), 0);
      throw new Rollback();
    })();
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return {
    images: ids.map((id) => ({ id, repoTags: byId.get(id)?.repoTags ?? [], size: byId.get(id)?.size ?? 0 })),
    spaceReclaimed,
    storedBytes,
  };
}

/** Every prune action's bytes, for the disk view. */
export function pruneActions(engine: Engine): PruneActions {
  return {
    'dangling-images': prunePreview(engine, false).spaceReclaimed,
    'unused-images': prunePreview(engine, true).spaceReclaimed,
    'stopped-containers': engine.containers.prunable().reduce((n, c) => n + c.sizeRw, 0),
    'build-cache': new BuildCache(engine.db, engine.events).prunable(true).size,
  };
}

/** Runs one prune action; returns the bytes it freed, as docker reports them. */
export async function runPruneAction(engine: Engine, action: PruneAction): Promise<{ spaceReclaimed: number }> {
  switch (action) {
    case 'dangling-images':
    case 'unused-images':
      return { spaceReclaimed: (await pruneImages(engine, { all: action === 'unused-images' })).spaceReclaimed };
    case 'stopped-containers': {
      const res = await engine.containers.prune();
      await engine.gc.collect();
      return { spaceReclaimed: res.reclaimed };
    }
    case 'build-cache': {
      const removed = new BuildCache(engine.db, engine.events).prune(true);
      await engine.gc.collect();
      return { spaceReclaimed: removed.size };
    }
  }
}
