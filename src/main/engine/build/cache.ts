/**
 * The build cache: one row per executed Dockerfile step, keyed by the chain of keys above it, the
 * normalised instruction, the build args it sees and the checksum of what it copies. Rows record
 * the step's inputs so a miss can be explained, and their layers are gc roots until pruned.
 */
import type { Stores } from '../stores.ts';
import type { DB } from '../metadata/db.ts';
import type { EventLog } from '../events/event-log.ts';
import { migrate } from '../metadata/db.ts';
import type { BuildFileChange, BuildMissCause, BuildMissReason, DiskUsageBuildCache, LayerFile } from '../api.ts';
import type { LayerInput } from '../image/image-service.ts';
import type { Compression } from '../image/oci.ts';
import { shortId } from '../../../shared/format.ts';
import type { DigestCache } from './context.ts';
import { StrataError } from '../../../shared/errors.ts';

/** The `build` service schema (cache, build records). Never edit a shipped step: append one. */
export const BUILD_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE build_cache (
    key             TEXT PRIMARY KEY,
    parent_key      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    diff_id         TEXT,
    history_created TEXT NOT NULL,
    inputs          TEXT NOT NULL,
    size            INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER NOT NULL,
    usage_count     INTEGER NOT NULL DEFAULT 1
  ) STRICT;
  CREATE INDEX build_cache_parent ON build_cache(parent_key);
  CREATE INDEX build_cache_diff ON build_cache(diff_id);

  CREATE TABLE builds (
    id              TEXT PRIMARY KEY,
    context         TEXT NOT NULL,
    dockerfile      TEXT NOT NULL,
    dockerfile_text TEXT NOT NULL,
    build_args      TEXT NOT NULL DEFAULT '{}',
    target          TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]',
    no_cache        INTEGER NOT NULL DEFAULT 0,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    status          TEXT NOT NULL,
    image_id        TEXT,
    error           TEXT
  ) STRICT;
  CREATE INDEX builds_dockerfile ON builds(context, dockerfile, started_at);

  CREATE TABLE build_steps (
    build_id     TEXT NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    instruction  TEXT NOT NULL,
    line         INTEGER NOT NULL,
    cache_key    TEXT NOT NULL DEFAULT '',
    inputs_key   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    cached       INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    self_changed INTEGER NOT NULL DEFAULT 0,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    size         INTEGER NOT NULL DEFAULT 0,
    diff_id      TEXT,
    PRIMARY KEY (build_id, n)
  ) STRICT;
  `,
  /* 2: content digests of context files by stat identity (skips re-reading unchanged files) */ `
  CREATE TABLE build_file_digests (
    path     TEXT PRIMARY KEY,
    stamp    TEXT NOT NULL,
    digest   TEXT NOT NULL,
    used_at  INTEGER NOT NULL
  ) STRICT;
  `,
  /* 3: the process running a build (pid:starttime), to finish records a killed build left "running" */ `
  ALTER TABLE builds ADD COLUMN owner TEXT NOT NULL DEFAULT '';
  `,
];

/** The persistent DigestCache of context files (see context.ts). */
export function fileDigestCache(db: DB): DigestCache {
  const get = db.prepare('SELECT digest FROM build_file_digests WHERE path = ? AND stamp = ?');
  const put = db.prepare(
    'INSERT INTO build_file_digests(path, stamp, digest, used_at) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET stamp = excluded.stamp, digest = excluded.digest, used_at = excluded.used_at',
  );
  return {
    get: (path, stamp) => (get.get(path, stamp) as { digest: string } | undefined)?.digest,
    set: (path, stamp, digest) => void put.run(path, stamp, digest, Date.now()),
  };
}

/**
 * Applies the build schema, makes cached layers gc roots and reports the cache to `system df`.
 * Called from the Engine constructor.
 */
export function registerBuildService(engine: Stores): void {
  migrate(engine.db, 'build', BUILD_MIGRATIONS);
  engine.references.register({
    kind: 'build cache',
    layers: { table: 'build_cache', column: 'diff_id' },
    buildCache: () => buildCacheUsage(engine),
  });
}

/** What a step read: enough to say why it missed next time. */
export interface StepInputs {
  /** The normalised instruction (BuildKit's created_by, or the expanded text for FROM). */
  instruction: string;
  /** The instruction as written in the Dockerfile. */
  source: string;
  /** Build args that take part in the key (RUN sees every ARG in scope as an env var). */
  args: Record<string, string>;
  /** Every build arg in scope (not part of the key): lets a miss name the arg that changed. */
  scope?: Record<string, string>;
  /** Checksum of the copied content (COPY/ADD). */
  checksum?: string;
  /** Per-file content digests (COPY/ADD). */
  files?: Record<string, string>;
  /** For COPY --from / FROM: the identity of the source state. */
  from?: string;
}

export interface CacheRecord {
  key: string;
  parentKey: string;
  kind: string;
  description: string;
  diffId: string | null;
  historyCreated: string;
  inputs: StepInputs;
  size: number;
  durationMs: number;
  createdAt: number;
  lastUsedAt: number;
  usageCount: number;
}

interface CacheRow {
  key: string;
  parent_key: string;
  kind: string;
  description: string;
  diff_id: string | null;
  history_created: string;
  inputs: string;
  size: number;
  duration_ms: number;
  created_at: number;
  last_used_at: number;
  usage_count: number;
}

function toRecord(r: CacheRow): CacheRecord {
  return {
    key: r.key, parentKey: r.parent_key, kind: r.kind, description: r.description, diffId: r.diff_id,
    historyCreated: r.history_created, inputs: JSON.parse(r.inputs) as StepInputs, size: r.size,
    durationMs: r.duration_ms, createdAt: r.created_at, lastUsedAt: r.last_used_at, usageCount: r.usage_count,
  };
}

/** The key of a step's own inputs, whatever its parent: tells a changed step from one only invalidated. */
export function inputsKey(inputs: StepInputs): string {
  return stepKey('', inputs);
}

/** The cache key of a step: parent key, normalised instruction, args, content checksum. */
export function stepKey(parentKey: string, inputs: StepInputs): string {
  const h = process.getBuiltinModule('node:crypto').createHash('sha256');
  h.update(JSON.stringify([parentKey, inputs.instruction, sortedArgs(inputs.args), inputs.checksum ?? '', inputs.from ?? '']));
  return `sha256:${h.digest('hex')}`;
}

function sortedArgs(args: Record<string, string>): [string, string][] {
  return Object.entries(args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Records a layer the build wrote (blob, layer, file index) so it can be read back, served from
 * the cache and protected as a gc root before any image uses it — the same rows
 * ImageService.commit writes, with the same conflict rules.
 */
export function recordLayer(db: DB, layer: LayerInput & { files?: LayerFile[] }): void {
  const now = Date.now();
  db.transaction(() => {
    db.prepare('INSERT INTO blobs(digest, size, media_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(layer.blobDigest, layer.blobSize, layer.mediaType ?? '', now);
    const added = db.prepare('INSERT INTO layers(diff_id, size, diff_size, file_count, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(layer.diffId, layer.size, layer.diffSize, layer.files?.length ?? 0, now).changes > 0;
    if (added && layer.files) {
      const putFile = db.prepare(
        'INSERT OR REPLACE INTO layer_files(diff_id, path, type, mode, uid, gid, size, link_target, mtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const f of layer.files) putFile.run(layer.diffId, f.path, f.type, f.mode, f.uid, f.gid, f.size, f.linkTarget, f.mtime);
    }
    db.prepare('INSERT INTO layer_blobs(blob_digest, diff_id, compression) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(layer.blobDigest, layer.diffId, layer.compression);
  }).immediate();
}

export class BuildCache {
  private readonly db: DB;
  private readonly events: EventLog;

  constructor(db: DB, events: EventLog) {
    this.db = db;
    this.events = events;
  }

  get(key: string): CacheRecord | undefined {
    const r = this.db.prepare('SELECT * FROM build_cache WHERE key = ?').get(key) as CacheRow | undefined;
    if (!r) return undefined;
    // A row whose layer was lost (fsck/gc accident) is not a hit.
    if (r.diff_id && !this.db.prepare('SELECT 1 FROM layer_blobs WHERE diff_id = ?').get(r.diff_id)) return undefined;
    return toRecord(r);
  }

  touch(key: string): void {
    this.db.prepare('UPDATE build_cache SET last_used_at = ?, usage_count = usage_count + 1 WHERE key = ?').run(Date.now(), key);
  }

  /** Records a step's result; announced as Strata's `builder cache` event (docker announces none per step). */
  put(rec: Omit<CacheRecord, 'lastUsedAt' | 'usageCount' | 'createdAt'>): void {
    const now = Date.now();
    this.db.transaction(() => {
      this.upsert(rec, now);
      this.events.record({ type: 'builder', action: 'cache', id: rec.key, attributes: { description: rec.description } });
    }).immediate();
  }

  private upsert(rec: Omit<CacheRecord, 'lastUsedAt' | 'usageCount' | 'createdAt'>, now: number): void {
    this.db
      .prepare(
        `INSERT INTO build_cache(key, parent_key, kind, description, diff_id, history_created, inputs, size, duration_ms, created_at, last_used_at, usage_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT(key) DO UPDATE SET diff_id = excluded.diff_id, history_created = excluded.history_created, inputs = excluded.inputs,
           size = excluded.size, duration_ms = excluded.duration_ms, last_used_at = excluded.last_used_at, usage_count = usage_count + 1`,
      )
      .run(rec.key, rec.parentKey, rec.kind, rec.description, rec.diffId, rec.historyCreated, JSON.stringify(rec.inputs), rec.size, rec.durationMs, now, now);
  }

  /** Rows that were built on the same parent state, most recently used first. */
  siblings(parentKey: string): CacheRecord[] {
    return (this.db.prepare('SELECT * FROM build_cache WHERE parent_key = ? ORDER BY last_used_at DESC').all(parentKey) as CacheRow[]).map(toRecord);
  }

  /** The stored form of a cached layer, as an image input. */
  layerInput(diffId: string): LayerInput {
    const r = this.db
      .prepare(
        `SELECT lb.blob_digest, lb.compression, b.size AS blob_size, b.media_type, l.size, l.diff_size
         FROM layer_blobs lb JOIN blobs b ON b.digest = lb.blob_digest JOIN layers l ON l.diff_id = lb.diff_id
         WHERE lb.diff_id = ? ORDER BY lb.compression = 'none' DESC LIMIT 1`,
      )
      .get(diffId) as { blob_digest: string; compression: Compression; blob_size: number; media_type: string; size: number; diff_size: number } | undefined;
    if (!r) throw new StrataError('data-loss', `cached layer ${shortId(diffId)} is missing from the store`);
    return { blobDigest: r.blob_digest, blobSize: r.blob_size, compression: r.compression, diffId, size: r.size, diffSize: r.diff_size };
  }

  /**
   * Explains why `inputs` on `parentKey` missed, comparing with what was built on the same parent
   * before: changed files, changed build args, or changed instruction text.
   */
  explainMiss(parentKey: string, kind: string, inputs: StepInputs): string {
    return missCauseText(this.explainMissCause(parentKey, kind, inputs));
  }

  /** The same explanation as data (the UI renders it in the user's language). */
  explainMissCause(parentKey: string, kind: string, inputs: StepInputs): BuildMissCause {
    const siblings = this.siblings(parentKey).filter((s) => s.kind === kind);
    if (siblings.length === 0) return { code: 'first-build' };
    const sameText = siblings.find((s) => s.inputs.source === inputs.source);
    const prev = sameText ?? siblings[0]!;
    const argChanges = changedArgs(prev.inputs.scope ?? prev.inputs.args, inputs.scope ?? inputs.args);
    if (prev.inputs.instruction !== inputs.instruction) {
      if (sameText && argChanges.length > 0) return { code: 'build-arg-changed', names: argChanges };
      return { code: 'instruction-changed' };
    }
    if (argChanges.length > 0) return { code: 'build-arg-changed', names: argChanges };
    if (inputs.files && prev.inputs.files) {
      const changes = fileChangeList(prev.inputs.files, inputs.files);
      if (changes.length > 0) return { code: 'files-changed', files: changes.slice(0, MAX_FILES_SHOWN), more: Math.max(0, changes.length - MAX_FILES_SHOWN) };
    }
    if (inputs.from !== prev.inputs.from) return { code: 'source-changed' };
    if (inputs.checksum !== prev.inputs.checksum) return { code: 'content-changed' };
    return { code: 'not-in-cache' };
  }

  /** Every cache row for `system df` (docker's BuildCache records). */
  diskUsage(): DiskUsageBuildCache[] {
    const rows = this.db
      .prepare(
        `SELECT c.*, (SELECT COUNT(*) FROM image_layers il WHERE il.diff_id = c.diff_id) AS image_refs,
                (SELECT COUNT(*) FROM build_cache c2 WHERE c2.diff_id = c.diff_id) AS cache_refs
         FROM build_cache c ORDER BY c.last_used_at DESC`,
      )
      .all() as (CacheRow & { image_refs: number; cache_refs: number })[];
    return rows.map((r) => ({
      id: r.key.replace(/^sha256:/, '').slice(0, 25),
      type: r.diff_id ? 'regular' : 'frontend',
      description: r.description,
      size: r.diff_id && r.image_refs === 0 ? r.size : 0,
      createdAt: Math.floor(r.created_at / 1000),
      lastUsedAt: Math.floor(r.last_used_at / 1000),
      usageCount: r.usage_count,
      inUse: false,
      shared: r.image_refs > 0 || r.cache_refs > 1,
    }));
  }

  /**
   * Removes cache rows: with `all`, every row; otherwise only rows whose layer no image uses
   * (docker's dangling cache) and config-only rows. Returns the removed keys; the caller runs gc.
   */
  prune(all: boolean): { keys: string[]; size: number } {
    return this.db.transaction(() => {
      const removed = this.prunable(all);
      this.db.prepare(`DELETE FROM build_cache WHERE ${pruneWhere(all)}`).run();
      if (all) this.db.prepare('DELETE FROM build_file_digests').run();
      this.events.record({ type: 'builder', action: 'prune', id: '', attributes: { reclaimed: String(removed.size) } });
      return removed;
    }).immediate();
  }

  /**
   * What `prune(all)` would remove, without removing it: the keys and the bytes (the records'
   * layer sizes, by docker's rule), the figure the prune then reports as freed.
   */
  prunable(all: boolean): { keys: string[]; size: number } {
    const rows = this.db.prepare(`SELECT key, size, diff_id FROM build_cache WHERE ${pruneWhere(all)}`).all() as { key: string; size: number; diff_id: string | null }[];
    return { keys: rows.map((r) => r.key), size: rows.reduce((s, r) => s + (r.diff_id ? r.size : 0), 0) };
  }
}

/** Rows `builder prune` removes: every row with `all`, else dangling ones (no image uses the layer). */
function pruneWhere(all: boolean): string {
  return all ? '1' : 'diff_id IS NULL OR diff_id NOT IN (SELECT diff_id FROM image_layers)';
}

function changedArgs(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

function abbrev(d: string): string {
  return d.startsWith('sha256:') ? `sha256 ${d.slice(7, 9)}…` : d;
}

const MAX_FILES_SHOWN = 5;

/** What changed between two file → digest maps: changed and added files in order, then removed ones. */
export function fileChangeList(before: Record<string, string>, after: Record<string, string>): BuildFileChange[] {
  const out: BuildFileChange[] = [];
  for (const [path, digest] of Object.entries(after)) {
    const prev = before[path];
    if (prev === undefined) out.push({ path, change: 'added' });
    else if (prev !== digest) out.push({ path, change: 'changed', from: prev, to: digest });
  }
  for (const path of Object.keys(before)) if (!(path in after)) out.push({ path, change: 'removed' });
  return out;
}

/** `app.js changed (sha256 3f…→9a…)`, `new.txt added`, `old.txt removed`. */
export function fileChangeText(c: BuildFileChange): string {
  if (c.change !== 'changed') return `${c.path} ${c.change}`;
  return c.from.startsWith('sha256:') && c.to.startsWith('sha256:')
    ? `${c.path} changed (sha256 ${c.from.slice(7, 9)}…→${c.to.slice(7, 9)}…)`
    : `${c.path} changed (${abbrev(c.from)}→${abbrev(c.to)})`;
}

/** The changes as the CLI lists them: at most five, then `and N more`. */
export function fileChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const all = fileChangeList(before, after);
  const shown = all.slice(0, MAX_FILES_SHOWN).map(fileChangeText);
  if (all.length > MAX_FILES_SHOWN) shown.push(`and ${all.length - MAX_FILES_SHOWN} more`);
  return shown;
}

/** A miss cause in the CLI's English (`instruction text changed`, `parent changed because step [2/5] missed`). */
export function missCauseText(c: BuildMissCause): string {
  switch (c.code) {
    case 'first-build': return 'not in cache (first build of this step on this parent)';
    case 'not-in-cache': return 'not in cache';
    case 'no-cache': return 'cache disabled (--no-cache)';
    case 'parent-missed': return `parent changed because ${c.step.startsWith('[') ? `step ${c.step}` : c.step} missed`;
    case 'base-image-changed': return 'base image changed since the last build';
    case 'instruction-changed': return 'instruction text changed';
    case 'build-arg-changed': return c.names.map((a) => `--build-arg ${a} changed`).join(', ');
    case 'files-changed': return [...c.files.map(fileChangeText), ...(c.more > 0 ? [`and ${c.more} more`] : [])].join(', ');
    case 'source-changed': return 'source stage changed';
    case 'content-changed': return 'copied content changed';
  }
}

/** The progress line's reason: `COPY app.js .: app.js changed (sha256 3f…→9a…)`. */
export function missReasonText(r: BuildMissReason): string {
  return `${r.instruction}: ${missCauseText(r)}`;
}

/** The build cache of an engine as `system df` rows (for the usage service). */
export function buildCacheUsage(engine: Pick<Stores, 'db' | 'events'>): DiskUsageBuildCache[] {
  return new BuildCache(engine.db, engine.events).diskUsage();
}
