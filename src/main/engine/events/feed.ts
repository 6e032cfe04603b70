import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { DB } from '../metadata/db.ts';
import type { EventLog, StoreEvent } from './event-log.ts';

/** The fallback check when no file notification arrives (network filesystems, a watch limit). */
const TICK_MS = 400;
const BATCH = 1000;

interface Subscription {
  cursor: number;
  listener: (event: StoreEvent) => void;
}

/**
 * Follows the event log as other processes (and this one) append to it. Another process's commit
 * changes SQLite's `PRAGMA data_version` on this connection and writes the WAL beside the database,
 * which a directory watch reports at once; a slow tick checks the same counter in case the watch
 * misses something. Only then are the new rows read, by seq: nothing polls a table. Commits of this
 * process leave data_version alone, so the log tells the feed about them (`onRecord`).
 */
export class ChangeFeed {
  private readonly db: DB;
  private readonly log: EventLog;
  private readonly dbFile: string;
  private readonly subs = new Set<Subscription>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopRecord: (() => void) | undefined;
  private version = 0;
  private scheduled = false;

  constructor(db: DB, log: EventLog, dbFile: string) {
    this.db = db;
    this.log = log;
    this.dbFile = dbFile;
  }

  /** Calls `listener` with every event after `afterSeq` (default: from now on), in order, until unsubscribed. */
  subscribe(listener: (event: StoreEvent) => void, afterSeq = this.log.lastSeq()): () => void {
    const sub: Subscription = { cursor: afterSeq, listener };
    this.subs.add(sub);
    if (this.subs.size === 1) this.start();
    this.schedule();
    return () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) this.stop();
    };
  }

  close(): void {
    this.subs.clear();
    this.stop();
  }

  private start(): void {
    this.version = this.dataVersion();
    const name = basename(this.dbFile);
    try {
      this.watcher = watch(dirname(this.dbFile), { persistent: false }, (_kind, file) => {
        if (!file || file.startsWith(name)) this.check();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined; // the tick still notices
    }
    this.timer = setInterval(() => this.check(), TICK_MS).unref();
    this.stopRecord = this.log.onRecord(() => this.schedule());
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopRecord?.();
    this.stopRecord = undefined;
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Another connection committed since the last look: read what it added. */
  private check(): void {
    if (!this.db.open) return;
    const v = this.dataVersion();
    if (v === this.version) return;
    this.version = v;
    this.pump();
  }

  /**
   * After this process records: read once the transaction has ended. better-sqlite3 transactions
   * are synchronous, so a microtask runs after the commit (or rollback) and before the code that
   * awaited the change goes on: a view hears of it before the reply to the request that made it.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.db.open) return;
      if (this.db.inTransaction) setImmediate(() => this.schedule());
      else this.pump();
    });
  }

  private pump(): void {
    if (!this.db.open) return;
    for (const sub of [...this.subs]) {
      // In batches: a writer may have recorded thousands since the last look (a bulk tag).
      for (let batch = this.log.read({ afterSeq: sub.cursor, limit: BATCH }); batch.length > 0; batch = this.log.read({ afterSeq: sub.cursor, limit: BATCH })) {
        for (const event of batch) {
          if (!this.subs.has(sub)) return;
          sub.cursor = event.seq;
          deliver(sub, event);
        }
        if (batch.length < BATCH) break;
      }
    }
  }
}

/** A listener that throws (a closed socket) must not stop the others or escape into a file-watch callback. */
function deliver(sub: Subscription, event: StoreEvent): void {
  try {
    sub.listener(event);
  } catch (err) {
    process.emitWarning(`change feed listener failed on event ${event.seq}: ${(err as Error).message}`);
  }
}
