import type { Statement } from 'better-sqlite3';
import type { DB } from '../metadata/db.ts';
import { StrataError } from '../../../shared/errors.ts';

/**
 * docker's event types; `layer` (gc removing a layer no image uses) and `registry` (login, logout)
 * are Strata's own, for changes docker's engine does not announce.
 */
export type EventType = 'image' | 'container' | 'builder' | 'layer' | 'registry';

/** An event as a writer states it: docker's Message without the time (the log stamps it). */
export interface NewEvent {
  type: EventType;
  /** docker's action: `tag`, `untag`, `delete`, `pull`, `create`, `die`, `exec_start: sh -c …` … */
  action: string;
  /** docker's Actor.ID: an image ID or reference, a container ID, '' for prune. */
  id: string;
  /** docker's Actor.Attributes (`name`, `image`, `exitCode`, `signal`, labels …). */
  attributes?: Record<string, string>;
}

/** One recorded event (docker's events.Message, plus its place in the feed). */
export interface StoreEvent {
  /** Position in the feed: strictly increasing in commit order, across every process on the store. */
  seq: number;
  type: EventType;
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** Unix nanoseconds when it was recorded. */
  timeNano: bigint;
}

/** How much history the feed keeps (docker keeps its last 256 in memory). */
export const RETENTION = { maxRows: 10_000, maxAgeNs: 7n * 24n * 3600n * 1_000_000_000n };
/** Pruning runs every this many events: a range delete on the primary key and the time index. */
export const PRUNE_EVERY = 64;

const epochNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Unix nanoseconds: the wall clock at start, advanced by the monotonic clock (ns resolution). */
export function nowNano(): bigint {
  return epochNs + process.hrtime.bigint();
}

interface Row {
  seq: number;
  time_nano: bigint;
  type: EventType;
  action: string;
  actor_id: string;
  attributes: string;
}

/**
 * The store's change feed: the append-only `events` table (core migration 2). Every write that
 * changes images, tags, layers, containers, the build cache or registry logins calls `record` in
 * the transaction that makes the change, so a change and its event commit or roll back together.
 * Readers (the UI hosts, `strata events`, the Engine API's /events) read it by `seq`.
 */
export class EventLog {
  private readonly db: DB;
  private readonly recorded = new Set<() => void>();
  private insert: Statement | undefined;

  constructor(db: DB) {
    this.db = db;
  }

  /**
   * Appends an event inside the caller's transaction (throws outside one: an event written on its
   * own could outlive a change that rolls back, or be lost while the change stays).
   */
  record(event: NewEvent): void {
    if (!this.db.inTransaction) throw new StrataError('internal', `event ${event.type} ${event.action} recorded outside the transaction of its change`);
    this.insert ??= this.db.prepare('INSERT INTO events(time_nano, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?)');
    const seq = Number(this.insert.run(nowNano(), event.type, event.action, event.id, JSON.stringify(event.attributes ?? {})).lastInsertRowid);
    if (seq % PRUNE_EVERY === 0) this.prune(seq);
    for (const fn of this.recorded) fn();
  }

  /** For what changes nothing in the store but is announced (save, push, attach, exec, kill): its own transaction. */
  announce(...events: NewEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.record(e);
    }).immediate();
  }

  /** Called after each `record` in this process (the feed then reads the committed rows). */
  onRecord(fn: () => void): () => void {
    this.recorded.add(fn);
    return () => this.recorded.delete(fn);
  }

  /** The newest event's seq (0 when none). */
  lastSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  }

  /** Events after `afterSeq` (up to `upToSeq`), in order; optionally only those recorded from `sinceNano` to `untilNano`; `limit` rows at most. */
  read(query: { afterSeq?: number; upToSeq?: number; sinceNano?: bigint; untilNano?: bigint; limit?: number } = {}): StoreEvent[] {
    const rows = this.db
      .prepare(
        `SELECT seq, time_nano, type, action, actor_id, attributes FROM events
         WHERE seq > ? AND seq <= ? AND time_nano >= ? AND time_nano <= ? ORDER BY seq LIMIT ?`,
      )
      .safeIntegers(true)
      .all(
        BigInt(query.afterSeq ?? 0), BigInt(query.upToSeq ?? Number.MAX_SAFE_INTEGER), query.sinceNano ?? 0n,
        query.untilNano ?? 9_223_372_036_854_775_807n, BigInt(query.limit ?? -1),
      ) as (Omit<Row, 'seq'> & { seq: bigint })[];
    return rows.map((r) => ({
      seq: Number(r.seq), type: r.type, action: r.action, id: r.actor_id,
      attributes: JSON.parse(r.attributes) as Record<string, string>, timeNano: r.time_nano,
    }));
  }

  /** Drops what is older than the retention window or beyond its row count. */
  private prune(seq: number): void {
    this.db.prepare('DELETE FROM events WHERE seq <= ?').run(seq - RETENTION.maxRows);
    this.db.prepare('DELETE FROM events WHERE time_nano < ?').run(nowNano() - RETENTION.maxAgeNs);
  }
}

/** docker's image event: `name` is the reference it concerns (the image ID for untag, delete, load, import, save). */
export function imageEvent(action: string, id: string, name: string, labels: Record<string, string> = {}): NewEvent {
  return { type: 'image', action, id, attributes: { ...labels, name } };
}
