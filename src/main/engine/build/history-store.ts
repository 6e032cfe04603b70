/**
 * Build records: every build with its Dockerfile, args, steps, timings, cache hits and misses and
 * result — the data behind build history in the UI and the instruction-order advisor.
 */
import { randomBytes } from 'node:crypto';
import type { DB } from '../metadata/db.ts';
import { processStamp } from './owner.ts';

export type BuildStatus = 'running' | 'success' | 'failed' | 'cancelled';
export type StepStatus = 'cached' | 'done' | 'failed' | 'skipped';

export interface BuildRecord {
  id: string;
  context: string;
  dockerfile: string;
  dockerfileText: string;
  buildArgs: Record<string, string>;
  target: string;
  tags: string[];
  noCache: boolean;
  startedAt: number;
  finishedAt: number | null;
  status: BuildStatus;
  imageId: string | null;
  error: string | null;
}

export interface BuildStepRecord {
  /** The vertex (`#n`); below zero for a config-only step, which BuildKit shows no vertex for. */
  n: number;
  stage: string;
  position: number;
  total: number;
  instruction: string;
  line: number;
  cacheKey: string;
  /** Key of the step's own inputs (instruction, args, content), independent of the parent. */
  inputsKey: string;
  status: StepStatus;
  cached: boolean;
  /** Why the step missed ('' on a hit). */
  reason: string;
  /** True when the step's own inputs changed since the previous build (not only its parent). */
  selfChanged: boolean;
  durationMs: number;
  size: number;
  diffId: string | null;
}

interface BuildRow {
  id: string; context: string; dockerfile: string; dockerfile_text: string; build_args: string; target: string; tags: string;
  no_cache: number; started_at: number; finished_at: number | null; status: BuildStatus; image_id: string | null; error: string | null;
}

interface StepRow {
  n: number; stage: string; position: number; total: number; instruction: string; line: number; cache_key: string; inputs_key: string; status: StepStatus;
  cached: number; reason: string; self_changed: number; duration_ms: number; size: number; diff_id: string | null;
}

export class BuildHistory {
  private readonly db: DB;

  constructor(db: DB) {
    this.db = db;
  }

  start(b: Pick<BuildRecord, 'context' | 'dockerfile' | 'dockerfileText' | 'buildArgs' | 'target' | 'tags' | 'noCache'>): string {
    const id = randomBytes(12).toString('hex');
    this.db
      .prepare(
        `INSERT INTO builds(id, context, dockerfile, dockerfile_text, build_args, target, tags, no_cache, started_at, status, owner)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(id, b.context, b.dockerfile, b.dockerfileText, JSON.stringify(b.buildArgs), b.target, JSON.stringify(b.tags), b.noCache ? 1 : 0, Date.now(), processStamp());
    return id;
  }

  /** Builds still marked running, with the process that runs them (see leftovers.ts). */
  running(): { id: string; owner: string }[] {
    return this.db.prepare("SELECT id, owner FROM builds WHERE status = 'running'").all() as { id: string; owner: string }[];
  }

  owner(buildId: string): string {
    return (this.db.prepare('SELECT owner FROM builds WHERE id = ?').get(buildId) as { owner: string } | undefined)?.owner ?? '';
  }

  step(buildId: string, s: BuildStepRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO build_steps(build_id, n, stage, position, total, instruction, line, cache_key, inputs_key, status, cached, reason, self_changed, duration_ms, size, diff_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(buildId, s.n, s.stage, s.position, s.total, s.instruction, s.line, s.cacheKey, s.inputsKey, s.status, s.cached ? 1 : 0, s.reason, s.selfChanged ? 1 : 0,
        Math.round(s.durationMs), s.size, s.diffId);
  }

  finish(buildId: string, status: BuildStatus, result: { imageId?: string; error?: string }): void {
    this.db
      .prepare('UPDATE builds SET finished_at = ?, status = ?, image_id = ?, error = ? WHERE id = ?')
      .run(Date.now(), status, result.imageId ?? null, result.error ?? null, buildId);
  }

  /** Builds, newest first (optionally of one Dockerfile in one context). */
  list(filter: { context?: string; dockerfile?: string; limit?: number } = {}): BuildRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.context) {
      where.push('context = ?');
      params.push(filter.context);
    }
    if (filter.dockerfile) {
      where.push('dockerfile = ?');
      params.push(filter.dockerfile);
    }
    params.push(filter.limit ?? 100);
    const rows = this.db
      .prepare(`SELECT * FROM builds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(...params) as BuildRow[];
    return rows.map(toBuild);
  }

  get(buildId: string): BuildRecord | undefined {
    const row = this.db.prepare('SELECT * FROM builds WHERE id = ?').get(buildId) as BuildRow | undefined;
    return row ? toBuild(row) : undefined;
  }

  steps(buildId: string): BuildStepRecord[] {
    return (this.db.prepare('SELECT * FROM build_steps WHERE build_id = ? ORDER BY rowid').all(buildId) as StepRow[]).map((r) => ({
      n: r.n, stage: r.stage, position: r.position, total: r.total, instruction: r.instruction, line: r.line, cacheKey: r.cache_key, inputsKey: r.inputs_key,
      status: r.status, cached: r.cached === 1, reason: r.reason, selfChanged: r.self_changed === 1, durationMs: r.duration_ms,
      size: r.size, diffId: r.diff_id,
    }));
  }

  /** Removes build records (all, or those older than `before` ms since epoch). */
  clear(before?: number): number {
    return this.db.prepare('DELETE FROM builds WHERE started_at < ?').run(before ?? Number.MAX_SAFE_INTEGER).changes;
  }
}

function toBuild(r: BuildRow): BuildRecord {
  return {
    id: r.id, context: r.context, dockerfile: r.dockerfile, dockerfileText: r.dockerfile_text,
    buildArgs: JSON.parse(r.build_args) as Record<string, string>, target: r.target, tags: JSON.parse(r.tags) as string[],
    noCache: r.no_cache === 1, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status, imageId: r.image_id, error: r.error,
  };
}
