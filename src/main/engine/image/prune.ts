import type { Stores } from '../stores.ts';
import type { ImageDeleteItem } from './image-service.ts';
import { listImages, matchLabels, type ImageFilters, InvalidFilterError, type ListedImage } from './list.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface RemoveOptions {
  force?: boolean;
  /** docker's --no-prune: keep parents left untagged and childless. */
  noPrune?: boolean;
}

/**
 * `rmi` for one image: ImageService.remove applies docker's untag/delete rules; then, like
 * moby's ImageDelete with PruneChildren, parents left without tags, children or users are
 * deleted too. Layers are released by the caller's gc run.
 */
export function removeImage(engine: Stores, input: string, options: RemoveOptions = {}): ImageDeleteItem[] {
  const id = engine.images.resolve(input);
  const parent = engine.images.get(id)?.parentId ?? '';
  const items = engine.images.remove(input, { force: options.force ?? false });
  if (!options.noPrune && items.some((i) => i.deleted === id)) items.push(...pruneParents(engine, parent));
  return items;
}

function pruneParents(engine: Stores, parentId: string): ImageDeleteItem[] {
  const items: ImageDeleteItem[] = [];
  let current = parentId;
  while (current) {
    const rec = engine.images.get(current);
    if (!rec || rec.repoTags.length > 0 || rec.repoDigests.length > 0) break;
    if (engine.images.children(current).length > 0 || engine.images.usersOf(current).length > 0) break;
    items.push(...engine.images.remove(current));
    current = rec.parentId;
  }
  return items;
}

export interface PruneResult {
  deleted: ImageDeleteItem[];
  /** docker's figure: the diff sizes of the layers the prune removed (moby's SpaceReclaimed). */
  spaceReclaimed: number;
  /** Bytes of blob files the gc run unlinked from `blobs/` (compressed as stored). */
  storedBytesFreed: number;
}

/**
 * `image prune` as moby's ImagesPrune: the candidates are images no container uses, except
 * untagged ones with children (intermediate); without `all` only untagged ones. A candidate with
 * names loses each of them as `rmi NAME` would (the image goes with its last name unless a child
 * holds it), one without is deleted; refusals are skipped. Then gc removes the layers and blobs
 * nothing references any more.
 */
export async function pruneImages(engine: Stores, options: { all?: boolean; filters?: ImageFilters } = {}): Promise<PruneResult> {
  const filters = options.filters ?? {};
  for (const k of Object.keys(filters)) if (k !== 'label' && k !== 'until') throw new InvalidFilterError(k);
  const named = (img: ListedImage): boolean => img.repoTags.length > 0 || img.repoDigests.length > 0;
  const candidates = listImages(engine, { all: true, filters: { ...(filters.until ? { until: filters.until } : {}) } })
    .filter((img) => matchLabels(filters.label ?? [], img.labels))
    .filter((img) => options.all || img.repoTags.length === 0)
    .filter((img) => named(img) || engine.images.children(img.id).length === 0)
    .filter((img) => engine.images.usersOf(img.id).length === 0);
  const deleted: ImageDeleteItem[] = [];
  for (const img of candidates) {
    for (const name of named(img) ? [...img.repoTags, ...img.repoDigests] : [img.id]) {
      // gone already: deleted as the untagged parent of an earlier candidate
      if (!engine.images.get(img.id)) break;
      try {
        deleted.push(...removeImage(engine, name));
      } catch (err) {
        if (!(err instanceof StrataError)) throw err;
      }
    }
  }
  const gc = await engine.gc.collect();
  engine.events.announce({ type: 'image', action: 'prune', id: '', attributes: { reclaimed: String(gc.layerBytesFreed) } });
  return { deleted, spaceReclaimed: gc.layerBytesFreed, storedBytesFreed: gc.bytesFreed };
}
