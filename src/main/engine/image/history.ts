import type { Engine } from '../engine.ts';
import type { HistoryEntry } from '../api.ts';
import { chainIds } from '../store/digest.ts';
import { unixSeconds, type ImageConfig } from './oci.ts';
import { familiarString, parseReference } from './reference.ts';
import { StrataError } from '../../../shared/errors.ts';

export const MISSING = '<missing>';

/**
 * An image's history, newest first, as moby's `ImageHistory` builds it: one row per config
 * history entry, non-empty entries taking the size of the next layer in `rootfs.diff_ids`.
 * Steps that are images in the store get their ID and tags: the image itself, then its parent
 * chain (moby walks `Parent`), then, for images without a recorded parent (loaded or pulled),
 * any stored image whose layer chain and history end exactly at that step.
 */
export function imageHistory(engine: Engine, input: string): HistoryEntry[] {
  const id = engine.images.resolve(input);
  const config = engine.images.readConfig(id);
  const diffIds = config.rootfs?.diff_ids ?? [];
  const sizes = layerSizes(engine, diffIds);
  const entries: HistoryEntry[] = [];
  const layersAt: number[] = []; // non-empty layers up to and including each entry (oldest first)
  let counter = 0;
  for (const h of config.history ?? []) {
    let size = 0;
    const empty = h.empty_layer === true;
    if (!empty) {
      const diffId = diffIds[counter];
      if (diffId === undefined) throw new StrataError('invalid', 'too many non-empty layers in History section');
      size = sizes.get(diffId) ?? 0;
      counter++;
    }
    layersAt.push(counter);
    entries.push({ id: MISSING, created: unixSeconds(h.created), createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [], emptyLayer: empty });
  }
  entries.reverse();
  layersAt.reverse();
  fillImageIds(engine, id, entries, layersAt, diffIds);
  return entries;
}

function layerSizes(engine: Engine, diffIds: string[]): Map<string, number> {
  if (diffIds.length === 0) return new Map();
  const rows = engine.db
    .prepare(`SELECT diff_id, size FROM layers WHERE diff_id IN (${diffIds.map(() => '?').join(',')})`)
    .all(...diffIds) as { diff_id: string; size: number }[];
  return new Map(rows.map((r) => [r.diff_id, r.size]));
}

function tagsOf(engine: Engine, id: string): string[] {
  return engine.images.tagsOf(id).map((t) => familiarString(parseReference(t)));
}

function fillImageIds(engine: Engine, id: string, entries: HistoryEntry[], layersAt: number[], diffIds: string[]): void {
  // moby: the newest entry is the image, the next its parent, and so on up the Parent chain.
  let current: string | undefined = id;
  for (const e of entries) {
    if (!current) break;
    e.id = current;
    e.tags = tagsOf(engine, current);
    const parent: string | undefined = engine.images.get(current)?.parentId;
    current = parent && engine.images.get(parent) ? parent : undefined;
  }
  // Images without a recorded parent: match stored images ending at a step (same layer chain,
  // same number of history entries). One query per distinct layer count.
  const chains = chainIds(diffIds);
  const byLayerCount = new Map<number, { id: string; historyLength: number }[]>();
  const candidates = (layerCount: number): { id: string; historyLength: number }[] => {
    let list = byLayerCount.get(layerCount);
    if (list) return list;
    const rows = engine.db
      .prepare(
        `SELECT il.image_id AS id FROM image_layers il
         WHERE il.position = ? AND il.chain_id = ?
           AND NOT EXISTS (SELECT 1 FROM image_layers x WHERE x.image_id = il.image_id AND x.position = ?)`,
      )
      .all(layerCount - 1, chains[layerCount - 1]!, layerCount) as { id: string }[];
    list = rows.map((r) => ({ id: r.id, historyLength: historyLength(engine, r.id) }));
    byLayerCount.set(layerCount, list);
    return list;
  };
  const total = entries.length;
  entries.forEach((e, i) => {
    if (e.id !== MISSING || layersAt[i]! === 0) return;
    const stepCount = total - i; // history entries up to and including this one
    const match = candidates(layersAt[i]!).find((c) => c.historyLength === stepCount);
    if (match) {
      e.id = match.id;
      e.tags = tagsOf(engine, match.id);
    }
  });
}

function historyLength(engine: Engine, id: string): number {
  try {
    return (engine.images.readConfig(id) as ImageConfig).history?.length ?? 0;
  } catch {
    return -1;
  }
}
