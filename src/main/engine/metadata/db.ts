import Database from 'better-sqlite3';
import { CORE_MIGRATIONS } from './migrations.ts';
import { StrataError } from '../../../shared/errors.ts';

export type DB = Database.Database;

/**
 * Opens the metadata database: WAL (readers never block the writer), foreign keys on, and the
 * core migrations applied. `synchronous=NORMAL` in WAL mode is durable against process crashes
 * (kill -9); blobs are fsynced before any row names them, so a lost tail after power loss can only
 * leave unreferenced blobs, which gc collects.
 */
export function openDatabase(file: string): DB {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
    service TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT`);
  migrate(db, 'core', CORE_MIGRATIONS);
  return db;
}

export function schemaVersion(db: DB, service: string): number {
  const row = db.prepare('SELECT version FROM schema_versions WHERE service = ?').get(service) as { version: number } | undefined;
  return row?.version ?? 0;
}

/**
 * Applies a service's versioned migrations, each in its own immediate transaction. Every service
 * (core, build, containers …) owns its tables and its list, so services evolve independently.
 * Never edit a shipped step: append a new one.
 */
export function migrate(db: DB, service: string, steps: readonly string[]): void {
  const current = schemaVersion(db, service);
  if (current > steps.length) {
    throw new StrataError('unsupported', `store schema for ${service} is version ${current}, newer than this Strata understands (${steps.length}); upgrade Strata`);
  }
  for (let v = current; v < steps.length; v++) {
    db.transaction(() => {
      if (schemaVersion(db, service) !== v) return; // another process migrated meanwhile
      db.exec(steps[v]!);
      db.prepare('INSERT INTO schema_versions(service, version) VALUES (?, ?) ON CONFLICT(service) DO UPDATE SET version = excluded.version').run(service, v + 1);
    }).immediate();
  }
}
