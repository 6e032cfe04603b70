import type { Stores } from '../stores.ts';
import type { DiskUsageImage, DiskUsageReport, DiskUsageRow } from '../api.ts';
import { listImages } from '../image/list.ts';

/**
 * `system df` data, after moby's disk usage: every image with its size, the bytes it shares with
 * other images and its unique bytes, and the layers' total counted once. Aggregate SQL only.
 */
export function diskUsage(engine: Stores): DiskUsageReport {
  const containers = engine.references.containers();
  const buildCache = engine.references.buildCache();
  const useCounts = engine.references.imageUseCounts();
  // Each layer an image uses, looked up in image_layers' diff_id index (not a temporary index of its rows).
  const layersSize = (engine.db.prepare('SELECT coalesce(sum(diff_size), 0) AS s FROM layers l WHERE EXISTS (SELECT 1 FROM image_layers il WHERE il.diff_id = l.diff_id)').get() as { s: number }).s;
  const images: DiskUsageImage[] = listImages(engine, { sharedSize: true }).map((img) => ({
    id: img.id,
    repoTags: img.repoTags,
    created: img.created,
    size: img.size,
    sharedSize: img.sharedSize,
    uniqueSize: img.size - img.sharedSize,
    containers: useCounts.get(img.id) ?? 0,
  }));
  const report = { layersSize, images, containers, buildCache };
  return { ...report, summary: summarize(report) };
}

const ACTIVE_STATES = new Set(['running', 'paused', 'restarting']);

/** docker's TYPE rows: totals, active counts and reclaimable bytes as docker/cli computes them. */
export function summarize(du: Omit<DiskUsageReport, 'summary'>): DiskUsageRow[] {
  const activeImages = du.images.filter((i) => i.containers > 0);
  const usedByActive = activeImages.reduce((n, i) => n + (i.size - i.sharedSize), 0);
  const activeContainers = du.containers.filter((c) => ACTIVE_STATES.has(c.state));
  const containerSize = du.containers.reduce((n, c) => n + c.sizeRw, 0);
  const unshared = du.buildCache.filter((b) => !b.shared);
  const cacheSize = unshared.reduce((n, b) => n + b.size, 0);
  return [
    { type: 'Images', total: du.images.length, active: activeImages.length, size: du.layersSize, reclaimable: du.layersSize - usedByActive },
    {
      type: 'Containers',
      total: du.containers.length,
      active: activeContainers.length,
      size: containerSize,
      reclaimable: containerSize - activeContainers.reduce((n, c) => n + c.sizeRw, 0),
    },
    { type: 'Local Volumes', total: 0, active: 0, size: 0, reclaimable: 0 },
    {
      type: 'Build Cache',
      total: du.buildCache.length,
      active: du.buildCache.filter((b) => b.inUse).length,
      size: cacheSize,
      reclaimable: cacheSize - unshared.filter((b) => b.inUse).reduce((n, b) => n + b.size, 0),
    },
  ];
}
