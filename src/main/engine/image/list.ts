import type { Stores } from '../stores.ts';
import type { ImageSummary } from '../api.ts';
import { familiarName, familiarString, parseReference, pathMatch, repositoryName, type Reference } from './reference.ts';
import { BadPatternError, InvalidFilterError } from '../daemon-errors.ts';
export { BadPatternError, InvalidFilterError };

/** `images` filters as docker's API takes them: name → values (`label` may repeat). */
export type ImageFilters = Record<string, string[]>;

export interface ListImagesOptions {
  /** Include intermediate images (untagged images that are parents of others). */
  all?: boolean;
  filters?: ImageFilters;
  /** Compute SharedSize (what `system df -v` needs); -1 otherwise. */
  sharedSize?: boolean;
  /** Compute contentSize (what `images --tree` shows); -1 otherwise. */
  contentSize?: boolean;
  /** Now in ms, for `until=10m`. */
  now?: number;
}

const ACCEPTED_FILTERS = new Set(['dangling', 'label', 'before', 'since', 'reference', 'until']);

/** An image summary plus the bytes of its stored blobs (config, manifest, layer blobs as stored), -1 unless asked for. */
export interface ListedImage extends ImageSummary {
  contentSize: number;
}

interface Row {
  id: string;
  parent_id: string;
  created: number;
  size: number;
  labels: string;
  content: number;
}

/** Parses `--filter` arguments (`key=value`) into docker's filter map. */
export function parseFilters(args: readonly string[]): ImageFilters {
  const out: ImageFilters = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new InvalidFilterError(a);
    const key = a.slice(0, eq).trim().toLowerCase();
    (out[key] ??= []).push(a.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Lists images like moby's `ImageService.Images`: filters applied in the store, tags that do not
 * match a `reference` filter dropped from the row, intermediate images hidden unless `all`,
 * newest first. A few aggregate queries, no per-image round trips.
 */
export function listImages(engine: Stores, options: ListImagesOptions = {}): ListedImage[] {
  const filters = options.filters ?? {};
  for (const key of Object.keys(filters)) if (!ACCEPTED_FILTERS.has(key)) throw new InvalidFilterError(key);
  const danglingOnly = danglingFilter(filters);
  const before = timeBound(engine, filters.before, 'oldest');
  const since = timeBound(engine, filters.since, 'newest');
  const until = filters.until?.length ? Math.min(...filters.until.map((u) => untilSeconds(u, options.now ?? Date.now()))) : undefined;
  const labelFilters = filters.label ?? [];
  const refPatterns = filters.reference ?? [];
  for (const p of refPatterns) checkPattern(p);

  const db = engine.db;
  // The blobs' sum is a subquery per image: only the tree view asks for it.
  const content = options.contentSize
    ? `(SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE b.digest IN (i.id, i.manifest_digest)) +
         coalesce((SELECT sum(b.size) FROM (SELECT DISTINCT blob_digest FROM image_layers WHERE image_id = i.id) il JOIN blobs b ON b.digest = il.blob_digest), 0)`
    : '-1';
  const rows = db.prepare(`SELECT i.id, i.parent_id, i.created, i.size, i.labels, ${content} AS content FROM images i ORDER BY i.created DESC, i.added_at DESC`).all() as Row[];
  const parents = new Set((db.prepare("SELECT DISTINCT parent_id FROM images WHERE parent_id != ''").all() as { parent_id: string }[]).map((r) => r.parent_id));
  const refs = referencesByImage(engine);
  const shared = options.sharedSize ? sharedSizes(engine) : undefined;

  const out: ListedImage[] = [];
  const familiar = familiarStrings();
  for (const r of rows) {
    if (before !== undefined && !(r.created < before)) continue;
    if (since !== undefined && !(r.created > since)) continue;
    if (until !== undefined && !(r.created < until)) continue;
    // Most images have no labels: no parse for those.
    const labels = r.labels === '{}' ? {} : (JSON.parse(r.labels) as Record<string, string>);
    if (labelFilters.length > 0 && !matchLabels(labelFilters, labels)) continue;
    const imageRefs = refs.get(r.id) ?? [];
    const kept = refPatterns.length > 0 ? imageRefs.filter((ref) => refPatterns.some((p) => familiarMatch(p, ref))) : imageRefs;
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const ref of kept) {
      if (ref.tag !== undefined) repoTags.push(familiar(ref));
      if (ref.digest !== undefined) repoDigests.push(familiar(ref));
    }
    if (repoTags.length === 0 && repoDigests.length === 0) {
      if (refPatterns.length > 0) continue;
      const hasChildren = parents.has(r.id);
      if (hasChildren && (!options.all || danglingOnly)) continue;
      if (danglingOnly === false) continue;
    } else if (danglingOnly && (repoTags.length > 0 || parents.has(r.id))) {
      continue;
    }
    out.push({
      id: r.id,
      repoTags,
      repoDigests,
      parentId: r.parent_id,
      created: r.created,
      size: r.size,
      sharedSize: shared ? (shared.get(r.id) ?? 0) : -1,
      labels,
      containers: -1,
      contentSize: r.content,
    });
  }
  return out;
}

/** undefined: no dangling filter; true: only dangling; false: no dangling. */
function danglingFilter(filters: ImageFilters): boolean | undefined {
  const values = filters.dangling;
  if (!values || values.length === 0) return undefined;
  for (const v of values) if (v !== 'true' && v !== 'false') throw new InvalidFilterError('dangling', v);
  return values.includes('true');
}

/** `before`/`since` name images; several values resolve to the oldest (before) or newest (since). */
function timeBound(engine: Stores, values: string[] | undefined, pick: 'oldest' | 'newest'): number | undefined {
  if (!values || values.length === 0) return undefined;
  const times = values.map((v) => engine.images.get(engine.images.resolve(v))!.created);
  return pick === 'oldest' ? Math.min(...times) : Math.max(...times);
}

/** moby's timestamp filters: unix seconds, RFC 3339, or a Go duration before now. */
function untilSeconds(value: string, now: number): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const dur = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value);
  if (dur && value !== '') {
    const secs = Number(dur[1] ?? 0) * 3600 + Number(dur[2] ?? 0) * 60 + Number(dur[3] ?? 0);
    return Math.floor(now / 1000 - secs);
  }
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new InvalidFilterError('until', value);
  return Math.floor(t / 1000);
}

/** moby's MatchKVList: every `k` must exist and every `k=v` must match. */
export function matchLabels(filters: readonly string[], labels: Record<string, string>): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    if (eq === -1) return Object.hasOwn(labels, f);
    const k = f.slice(0, eq);
    return Object.hasOwn(labels, k) && labels[k] === f.slice(eq + 1);
  });
}

/** distribution/reference FamiliarMatch: the pattern against `name:tag`, then against `name`. */
/** Go's path.Match refuses a bad pattern whatever the name; ours may only notice while matching. */
function checkPattern(pattern: string): void {
  for (const name of ['', 'a', pattern]) {
    try {
      pathMatch(pattern, name);
    } catch {
      throw new BadPatternError();
    }
  }
}

export function familiarMatch(pattern: string, ref: Reference): boolean {
  if (pathMatch(pattern, familiarString(ref))) return true;
  return pathMatch(pattern, familiarName(`${ref.domain}/${ref.path}`));
}

/**
 * `familiarString`, each repository's familiar name made once: a listing's references share
 * their repositories.
 */
function familiarStrings(): (ref: Reference) => string {
  const names = new Map<string, string>();
  return (ref) => {
    const repository = repositoryName(ref);
    let s = names.get(repository);
    if (s === undefined) names.set(repository, (s = familiarName(repository)));
    if (ref.tag !== undefined) s += `:${ref.tag}`;
    if (ref.digest !== undefined) s += `@${ref.digest}`;
    return s;
  };
}

/** Every tag and repo digest, grouped by image, tags newest first. */
function referencesByImage(engine: Stores): Map<string, Reference[]> {
  const m = new Map<string, Reference[]>();
  const add = (id: string, ref: Reference): void => {
    const list = m.get(id);
    if (list) list.push(ref);
    else m.set(id, [ref]);
  };
  for (const r of engine.db.prepare('SELECT reference, image_id FROM tags ORDER BY reference').all() as { reference: string; image_id: string }[]) {
    add(r.image_id, parseStored(r.reference));
  }
  for (const r of engine.db.prepare('SELECT repository, digest, image_id FROM repo_digests ORDER BY repository').all() as { repository: string; digest: string; image_id: string }[]) {
    const slash = r.repository.indexOf('/');
    add(r.image_id, { domain: r.repository.slice(0, slash), path: r.repository.slice(slash + 1), digest: r.digest });
  }
  return m;
}

/** Stored references are already normalised (`docker.io/library/a:latest`): split without re-validating. */
function parseStored(reference: string): Reference {
  const slash = reference.indexOf('/');
  const colon = reference.lastIndexOf(':');
  if (slash === -1 || colon < slash) return parseReference(reference);
  return { domain: reference.slice(0, slash), path: reference.slice(slash + 1, colon), tag: reference.slice(colon + 1) };
}

/**
 * Bytes of each image's layers that at least one other image also uses, in one query. Layers are
 * shared by diff ID: Strata stores a diff once whatever lies beneath it, so that is what is on disk.
 */
export function sharedSizes(engine: Stores): Map<string, number> {
  const rows = engine.db
    .prepare(
      // The shared diffs first, through the diff_id index (two images use a diff when its least and
      // greatest image differ: no temporary index to count distinct images); then only their
      // images' rows, a diff an image stacks twice counted at its lowest position only.
      `WITH refs AS (SELECT diff_id FROM image_layers GROUP BY diff_id HAVING min(image_id) != max(image_id))
       SELECT il.image_id AS id, sum(l.diff_size) AS shared
       FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id
       WHERE il.diff_id IN refs
         AND NOT EXISTS (SELECT 1 FROM image_layers d WHERE d.image_id = il.image_id AND d.position < il.position AND d.diff_id = il.diff_id)
       GROUP BY il.image_id`,
    )
    .all() as { id: string; shared: number }[];
  return new Map(rows.map((r) => [r.id, r.shared]));
}
