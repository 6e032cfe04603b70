/**
 * Thin adapters over ImageService for engine functions that had not landed when the UI was
 * wired (history, system df, image prune). handlers.ts prefers the engine's own functions; these
 * follow docker's rules so the numbers match `docker history`, `docker system df -v` and
 * `docker image prune`.
 */
import type { Engine } from '../engine/engine.ts';
import type { DiskUsage, DiskUsageRow, HistoryEntry, ImageSummary } from '../engine/api.ts';
import { unixSeconds } from '../engine/image/oci.ts';
import type { PrunePreview, SystemDf } from '../../shared/contract.ts';
import { listImages } from './image-views.ts';

/** `history`: newest first; the top row carries the image ID and tags, the rest `<missing>`. */
export function historyOf(engine: Engine, imageId: string): HistoryEntry[] {
  const config = engine.images.readConfig(imageId);
  const layers = engine.images.layers(imageId);
  const rec = engine.images.get(imageId);
  let layerIndex = 0;
  const rows: HistoryEntry[] = (config.history ?? []).map((h) => {
    const empty = h.empty_layer === true;
    const size = empty ? 0 : (layers[layerIndex++]?.size ?? 0);
    return { id: '<missing>', created: unixSeconds(h.created), createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [], emptyLayer: empty };
  });
  rows.reverse();
  if (rows[0]) {
    rows[0].id = imageId;
    rows[0].tags = rec?.repoTags ?? [];
  }
  return rows;
}

/** What `system df -v` reports, with every layer counted once. */
export function diskUsage(engine: Engine, images: ImageSummary[] = listImages(engine)): DiskUsage {
  const layersSize = (engine.db.prepare('SELECT coalesce(sum(l.size), 0) AS s FROM layers l WHERE l.diff_id IN (SELECT diff_id FROM image_layers)').get() as { s: number }).s;
  return {
    layersSize,
    images: images.map((i) => ({
      id: i.id, repoTags: i.repoTags, created: i.created, size: i.size, sharedSize: i.sharedSize, uniqueSize: i.size - i.sharedSize, containers: i.containers,
    })),
    containers: [],
    buildCache: [],
  };
}

/** docker/cli's summary rows: reclaimable images = all layers minus what images in use need alone. */
export function diskUsageRows(usage: DiskUsage): DiskUsageRow[] {
  let used = 0;
  for (const i of usage.images) if (i.containers > 0) used += i.size - i.sharedSize;
  const containersSize = usage.containers.reduce((n, c) => n + c.sizeRw, 0);
  const containersReclaimable = usage.containers.filter((c) => c.state !== 'running').reduce((n, c) => n + c.sizeRw, 0);
  const cacheSize = usage.buildCache.filter((c) => !c.shared).reduce((n, c) => n + c.size, 0);
  const cacheReclaimable = usage.buildCache.filter((c) => !c.inUse && !c.shared).reduce((n, c) => n + c.size, 0);
  return [
    { type: 'Images', total: usage.images.length, active: usage.images.filter((i) => i.containers > 0).length, size: usage.layersSize, reclaimable: usage.layersSize - used },
    { type: 'Containers', total: usage.containers.length, active: usage.containers.filter((c) => c.state === 'running').length, size: containersSize, reclaimable: containersReclaimable },
    { type: 'Local Volumes', total: 0, active: 0, size: 0, reclaimable: 0 },
    { type: 'Build Cache', total: usage.buildCache.length, active: usage.buildCache.filter((c) => c.inUse).length, size: cacheSize, reclaimable: cacheReclaimable },
  ];
}

export function systemDf(engine: Engine): SystemDf {
  const images = listImages(engine);
  const usage = diskUsage(engine, images);
  return { usage, rows: diskUsageRows(usage), imagesTotal: images.reduce((n, i) => n + i.size, 0) };
}

/**
 * The images `image prune` would delete (dangling ones, or with `all` every image no container
 * uses), skipping images with children as docker does, and the exact bytes freed: the layers
 * that only these images use.
 */
export function prunePreview(engine: Engine, all: boolean): PrunePreview {
  const images = listImages(engine).filter((i) => i.containers <= 0 && (all || i.repoTags.length === 0) && engine.images.children(i.id).length === 0);
  const doomed = new Set(images.map((i) => i.id));
  const rows = engine.db
    .prepare('SELECT il.diff_id, l.size, group_concat(DISTINCT il.image_id) AS users FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id GROUP BY il.diff_id')
    .all() as { diff_id: string; size: number; users: string }[];
  let spaceReclaimed = 0;
  for (const r of rows) if (r.users.split(',').every((u) => doomed.has(u))) spaceReclaimed += r.size;
  return { images: images.map((i) => ({ id: i.id, repoTags: i.repoTags, size: i.size })), spaceReclaimed };
}
