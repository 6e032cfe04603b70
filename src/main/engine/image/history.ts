import type { Stores } from '../stores.ts';
import type { HistoryEntry } from '../api.ts';
import { unixSeconds } from './oci.ts';
import { familiarString, parseReference } from './reference.ts';
import { StrataError } from '../../../shared/errors.ts';

export const MISSING = '<missing>';

/**
 * An image's history, newest first, as moby's `ImageHistory` builds it: one row per config
 * history entry, non-empty entries taking the size of the next layer in `rootfs.diff_ids`.
 * Steps that are images in the store get their ID and tags: the image itself, then its parent
 * chain (moby walks `Parent`); every other step is `<missing>`.
 */
export function imageHistory(engine: Pick<Stores, 'db' | 'images'>, input: string): HistoryEntry[] {
  const id = engine.images.resolve(input);
  const config = engine.images.readConfig(id);
  const diffIds = config.rootfs?.diff_ids ?? [];
  const sizes = layerSizes(engine, diffIds);
  const entries: HistoryEntry[] = [];
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
    entries.push({ id: MISSING, created: unixSeconds(h.created), createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [], emptyLayer: empty });
  }
  entries.reverse();
  fillImageIds(engine, id, entries);
  return entries;
}

function layerSizes(engine: Pick<Stores, 'db' | 'images'>, diffIds: string[]): Map<string, number> {
  if (diffIds.length === 0) return new Map();
  const rows = engine.db
    .prepare(`SELECT diff_id, diff_size AS size FROM layers WHERE diff_id IN (${diffIds.map(() => '?').join(',')})`)
    .all(...diffIds) as { diff_id: string; size: number }[];
  return new Map(rows.map((r) => [r.diff_id, r.size]));
}

function tagsOf(engine: Pick<Stores, 'db' | 'images'>, id: string): string[] {
  return engine.images.tagsOf(id).map((t) => familiarString(parseReference(t)));
}

function fillImageIds(engine: Pick<Stores, 'db' | 'images'>, id: string, entries: HistoryEntry[]): void {
  // moby: the newest entry is the image, the next its parent, and so on up the Parent chain.
  // A loaded or pulled image has no recorded parent: its older steps stay <missing>, as in docker,
  // even when another stored image happens to end at the same step.
  let current: string | undefined = id;
  for (const e of entries) {
    if (!current) break;
    e.id = current;
    e.tags = tagsOf(engine, current);
    const parent: string | undefined = engine.images.get(current)?.parentId;
    current = parent && engine.images.get(parent) ? parent : undefined;
  }
}
