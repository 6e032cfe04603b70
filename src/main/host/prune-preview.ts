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
import type { PruneAction, PruneActions, PrunePreview, RemovePreview } from '../../shared/contract.ts';
import { normalizeReference } from '../engine/image/reference.ts';
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
  const { spaceReclaimed, storedBytes } = measureDeleting(engine, ids);
  return {
    images: ids.map((id) => ({ id, repoTags: byId.get(id)?.repoTags ?? [], size: byId.get(id)?.size ?? 0 })),
    spaceReclaimed,
    storedBytes,
  };
}

/** docker's bytes (and stored blob bytes) that deleting these images frees: deleted in a transaction always rolled back. */
function measureDeleting(engine: Engine, ids: readonly string[]): { spaceReclaimed: number; storedBytes: number } {
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
  return { spaceReclaimed, storedBytes };
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

/**
 * What removing these names (the images view's bulk remove, no force) would do: which images go
 * (every name of theirs is among `refs`, or an untagged one given by ID; no container uses them and
 * no image outside the selection is built on them) and docker's bytes that frees, measured like a
 * prune's. Names of images that stay are only untagged.
 */
export function removePreview(engine: Engine, refs: readonly string[]): RemovePreview {
  const named = new Map<string, Set<string>>();
  for (const r of refs) {
    const id = engine.images.resolve(r);
    const set = named.get(id) ?? new Set<string>();
    set.add(isIdRef(engine, r, id) ? id : normalizeReference(r));
    named.set(id, set);
  }
  const goes = (id: string): boolean => {
    const given = named.get(id)!;
    const tags = engine.images.tagsOf(id);
    const allNames = given.has(id) ? tags.length <= 1 : tags.length > 0 && tags.every((t) => given.has(t));
    return allNames && engine.images.usersOf(id).length === 0;
  };
  const doomed = new Set([...named.keys()].filter(goes));
  // An image with a child outside the selection stays (docker: "image has dependent child images").
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of doomed) {
      if (engine.images.children(id).some((c) => !doomed.has(c))) {
        doomed.delete(id);
        changed = true;
      }
    }
  }
  const byId = new Map(listImages(engine, { all: true }).map((i) => [i.id, i]));
  const untagged = refs.filter((r) => !doomed.has(engine.images.resolve(r)));
  return {
    deleted: [...doomed].map((id) => ({ id, repoTags: byId.get(id)?.repoTags ?? [], size: byId.get(id)?.size ?? 0 })),
    untagged,
    spaceReclaimed: measureDeleting(engine, [...doomed]).spaceReclaimed,
  };
}

/** A ref that names the image by its ID (full or a prefix), not by a tag. */
function isIdRef(engine: Engine, ref: string, id: string): boolean {
  const hex = ref.replace(/^sha256:/, '');
  return /^[0-9a-f]{4,64}$/.test(hex) && id.replace(/^sha256:/, '').startsWith(hex) && !engine.images.tagsOf(id).includes(safeNormalize(ref));
}

function safeNormalize(ref: string): string {
  try {
    return normalizeReference(ref);
  } catch {
    return '';
  }
}
