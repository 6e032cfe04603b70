import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ImageSummary, PrunePreview, ProgressEvent, RemovePreview } from '../../../shared/contract.ts';
import { referenceMatches } from '../../../shared/format.ts';
import { pathMatch } from '../../../shared/path-match.ts';
import { useApi } from '../api.ts';
import { type UiError, uiError } from '../errors.ts';
import { refreshOnChange } from '../on-change.ts';

/** One table row: docker's `images` shows one row per tag (or one `<none>` row). */
export interface ImageRow {
  key: string;
  id: string;
  repository: string;
  tag: string;
  created: number;
  size: number;
  sharedSize: number;
  containers: number;
  dangling: boolean;
}

/** A running load/save/import/pull/push: the latest event per item and when each item's bytes started (ms). */
export interface OperationProgress {
  op: string;
  events: Map<string, ProgressEvent>;
  starts: Map<string, number>;
  startedAt: number;
}

export type SortKey = 'repository' | 'tag' | 'id' | 'created' | 'size' | 'containers';

export function toRows(images: readonly ImageSummary[]): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const img of images) {
    const base = { id: img.id, created: img.created, size: img.size, sharedSize: img.sharedSize, containers: img.containers };
    if (img.repoTags.length === 0) {
      rows.push({ ...base, key: img.id, repository: '<none>', tag: '<none>', dangling: true });
      continue;
    }
    for (const rt of img.repoTags) {
      const colon = rt.lastIndexOf(':');
      // A tag names one image, so it keys the row: the selection follows a tag that moves to a new build.
      rows.push({ ...base, key: rt, repository: rt.slice(0, colon), tag: rt.slice(colon + 1), dangling: false });
    }
  }
  return rows;
}

/**
 * The filter box is a search: a docker reference pattern (`j*`, `busybox:1.*`) or, as Docker Desktop
 * does, a case-insensitive substring of the repository, the tag or the image ID (`ping`, `1.2`, `3f2a`).
 */
export function rowMatches(r: ImageRow, pattern: string): boolean {
  if (pattern === '') return true;
  if (!r.dangling && referenceMatches(pattern, `${r.repository}:${r.tag}`, pathMatch)) return true;
  const needle = pattern.toLowerCase();
  const ref = r.dangling ? '' : `${r.repository}:${r.tag}`.toLowerCase();
  return ref.includes(needle) || r.id.replace('sha256:', '').includes(needle);
}

/** Filters by the search box, dangling and in use. */
export function filterRows(rows: readonly ImageRow[], pattern: string, dangling: boolean, inUse: boolean): ImageRow[] {
  const p = pattern.trim();
  return rows.filter((r) => (!dangling || r.dangling) && (!inUse || r.containers > 0) && rowMatches(r, p));
}

export function sortRows(rows: ImageRow[], key: SortKey, desc: boolean): ImageRow[] {
  const dir = desc ? -1 : 1;
  const value = (r: ImageRow): string | number => (key === 'id' ? r.id : r[key]);
  return rows.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'number' ? va - (vb as number) : (va as string).localeCompare(vb as string);
    return c * dir || a.key.localeCompare(b.key);
  });
}

export const useImagesStore = defineStore('images', () => {
  const api = useApi();
  const images = shallowRef<ImageSummary[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<UiError | null>(null);
  const pattern = ref('');
  const dangling = ref(false);
  const inUse = ref(false);
  const sortKey = ref<SortKey>('created');
  const sortDesc = ref(true);
  const selected = ref<string | null>(null);
  /** Rows picked with Ctrl/Shift+click besides `selected` (bulk remove). */
  const marked = ref<Set<string>>(new Set());
  const progress = ref<OperationProgress | null>(null);
  /** The last action's outcome, shown by whichever images view is open. */
  const notice = ref('');

  const allRows = computed(() => toRows(images.value));
  const rows = computed(() => sortRows(filterRows(allRows.value, pattern.value, dangling.value, inUse.value), sortKey.value, sortDesc.value));
  /** What `images` would total: every image's full size, shared layers counted again each time. */
  const totalSize = computed(() => images.value.reduce((n, i) => n + i.size, 0));
  const selectedRow = computed(() => rows.value.find((r) => r.key === selected.value) ?? null);
  /** Every picked row still listed: the selected one and the marked ones, in table order. */
  const pickedRows = computed(() => rows.value.filter((r) => r.key === selected.value || marked.value.has(r.key)));

  /** A click on a row: alone, toggled (Ctrl/Cmd) or the range from the selected row (Shift), as in a file manager. */
  function pick(key: string, mode: 'only' | 'toggle' | 'range'): void {
    if (mode === 'only' || selected.value === null) {
      marked.value = new Set();
      selected.value = key;
      return;
    }
    if (mode === 'toggle') {
      const next = new Set(marked.value);
      if (selected.value !== key) next.add(selected.value);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      marked.value = next;
      selected.value = next.has(key) ? key : ([...next].pop() ?? null);
      return;
    }
    const keys = rows.value.map((r) => r.key);
    const [a, b] = [keys.indexOf(selected.value), keys.indexOf(key)].sort((x, y) => x - y) as [number, number];
    marked.value = new Set(a < 0 ? [key] : keys.slice(a, b + 1));
  }

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      images.value = await api.call('images.list', {});
      error.value = null;
    } catch (err) {
      error.value = uiError(err);
    } finally {
      loading.value = false;
      loaded.value = true;
    }
  }

  function sortBy(key: SortKey): void {
    if (sortKey.value === key) sortDesc.value = !sortDesc.value;
    else {
      sortKey.value = key;
      sortDesc.value = key === 'created' || key === 'size' || key === 'containers';
    }
  }

  async function tag(source: string, target: string): Promise<void> {
    await api.call('images.tag', { source, target });
    await refresh();
  }

  async function remove(ref: string, force: boolean): Promise<string[]> {
    const items = await api.call('images.remove', { refs: [ref], force });
    await refresh();
    return items.map((i) => (i.deleted ? `Deleted: ${i.deleted}` : `Untagged: ${i.untagged}`));
  }

  function removePreview(refs: string[]): Promise<RemovePreview> {
    return api.call('images.removePreview', { refs });
  }

  /** Bulk remove without force: each name on its own, so one refusal does not stop the rest. */
  async function removeMany(refs: string[]): Promise<{ removed: number; failed: { ref: string; error: UiError }[] }> {
    const failed: { ref: string; error: UiError }[] = [];
    let removed = 0;
    for (const r of refs) {
      try {
        await api.call('images.remove', { refs: [r], force: false });
        removed += 1;
      } catch (err) {
        failed.push({ ref: r, error: uiError(err) });
      }
    }
    marked.value = new Set();
    await refresh();
    return { removed, failed };
  }

  function prunePreview(all: boolean): Promise<PrunePreview> {
    return api.call('images.prunePreview', { all });
  }

  async function prune(all: boolean): Promise<number> {
    const res = await api.call('images.prune', { all });
    await refresh();
    return res.spaceReclaimed;
  }

  /** Runs a load/save/import stream, keeping the latest event per item (and when its bytes started) for the progress bars. */
  async function track<R>(op: string, start: (onEvent: (e: ProgressEvent) => void) => { done: Promise<R> }): Promise<R> {
    const events = new Map<string, ProgressEvent>();
    const starts = new Map<string, number>();
    const startedAt = Date.now();
    progress.value = { op, events, starts, startedAt };
    try {
      const handle = start((e) => {
        events.set(e.id, e);
        if (e.total !== undefined && !starts.has(e.id)) starts.set(e.id, Date.now());
        progress.value = { op, events, starts, startedAt };
      });
      return await handle.done;
    } finally {
      progress.value = null;
      await refresh();
    }
  }

  const load = (path: string) => track('load', (on) => api.stream('images.load', { path }, on));
  const save = (refs: string[], path: string) => track('save', (on) => api.stream('images.save', { refs, path }, on));
  const importTar = (path: string, ref: string) => track('import', (on) => api.stream('images.import', { path, ref }, on));
  const pull = (ref: string) => track('pull', (on) => api.stream('images.pull', { ref }, on));
  const push = (ref: string) => track('push', (on) => api.stream('images.push', { ref }, on));
  /** Copies an image from the engine the views show (`from`) into another: the source's save streamed into the target's load. */
  const copyTo = (ref: string, from: string, to: string) => track('copy', (on) => api.stream('images.copy', { ref, from, to }, on));

  let subscribed = false;
  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    // Containers change the CONTAINERS column.
    refreshOnChange(api, (e) => e.kind === 'image' || e.kind === 'container', refresh);
  }

  return {
    images, loaded, loading, error, pattern, dangling, inUse, sortKey, sortDesc, selected, marked, progress, notice, allRows, rows, totalSize, selectedRow,
    pickedRows, pick, refresh, sortBy, tag, remove, removeMany, removePreview, prunePreview, prune, load, save, importTar, pull, push, copyTo, subscribe,
  };
});
