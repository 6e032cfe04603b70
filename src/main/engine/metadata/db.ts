import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StrataError } from '../../../shared/errors.ts';
import { CORE_MIGRATIONS } from './migrations.ts';

export type DB = Database.Database;

/**
 * Opens the metadata database: WAL (readers never block the writer), foreign keys on, and the
 * core migrations applied. `synchronous=NORMAL` in WAL mode is durable against process crashes
 * (kill -9); blobs are fsynced before any row names them, so a lost tail after power loss can only
 * leave unreferenced blobs, which gc collects.
 *
 * Opening writes nothing when the schema is current. On a full disk, WAL's shared-memory index
 * (`strata.db-shm`) cannot be created, so the database is opened again in exclusive locking mode,
 * which keeps that index in memory: reading works, writing fails with DiskFullError.
 */
export function openDatabase(file: string): DB {
  let db: DB;
  try {
    db = configure(new Database(file), false);
  } catch (err) {
    if (!isDiskFull(err, dirname(file))) throw err;
    db = configure(new Database(file), true);
  }
  ensureSpaceReserve(file);
  return db;
}

function configure(db: DB, exclusive: boolean): DB {
  try {
    // Before the first access: in exclusive mode WAL never touches the -shm file.
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('busy_timeout = 10000');
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_versions'").get()) {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
        service TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT`);
    }
    migrate(db, 'core', CORE_MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
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
  // Fast path, every open of a current store: one read of all versions, no statement per service.
  if (knownVersions(db).get(service) === steps.length) return;
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
  knownVersions(db).set(service, steps.length);
}

/**
 * Every service's schema version as this connection first read it. Versions only grow, so a
 * stale entry can only send migrate() down its checked path, never skip a step.
 */
const versionsRead = new WeakMap<DB, Map<string, number>>();

function knownVersions(db: DB): Map<string, number> {
  let versions = versionsRead.get(db);
  if (!versions) {
    const rows = db.prepare('SELECT service, version FROM schema_versions').all() as { service: string; version: number }[];
    versions = new Map(rows.map((r) => [r.service, r.version]));
    versionsRead.set(db, versions);
  }
  return versions;
}

/** What a full disk looks like from SQLite and from Node. */
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/**
 * True when `err` comes from a full disk: SQLite's SQLITE_FULL, ENOSPC, or a SQLite I/O error
 * (what a failed -shm or -wal write reports) while the store's file system has no space left.
 */
export function isDiskFull(err: unknown, dir: string): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && FULL_CODES.has(code)) return true;
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) return freeBytes(dir) < RESERVE_BYTES;
  return false;
}

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** docker's "no space left on device", and what to do about it. */
export class DiskFullError extends StrataError {
  constructor(root: string, options: { cause?: unknown } = {}) {
    super(
      'resource-exhausted',
      `no space left on device: the disk holding ${root} is full; free space there (strata rmi, strata image prune, strata system gc remove images and unused data) and try again`,
      { ...options, details: { root } },
    );
  }
}

/** The error as the user should see it: a full disk as DiskFullError, anything else unchanged. */
export function explainDiskFull(err: unknown, root: string): unknown {
  if (err instanceof DiskFullError) return err;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++, e = (e as { cause?: unknown }).cause) {
    if (isDiskFull(e, root)) return new DiskFullError(root, { cause: err });
  }
  return err;
}

/**
 * A file of incompressible bytes kept beside the database: on a full disk the commands that free
 * space (rmi, prune, gc) delete it first, so their own database writes (which append to the WAL)
 * have room; it is made again once there is space.
 */
const RESERVE_BYTES = 2 * 1024 * 1024;

function reservePath(dbFile: string): string {
  return `${dbFile}.reserve`;
}

/** Creates the reserve when it is missing and the disk has room for it (never fails). */
export function ensureSpaceReserve(dbFile: string): void {
  const path = reservePath(dbFile);
  if (existsSync(path) || freeBytes(dirname(dbFile)) < 4 * RESERVE_BYTES) return;
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, process.getBuiltinModule('node:crypto').randomBytes(RESERVE_BYTES));
    } finally {
      closeSync(fd);
    }
  } catch {
    rmSync(path, { force: true });
  }
}

/** Before a command that frees space: gives up the reserve when the disk is full. Returns whether it did. */
export function releaseSpaceReserve(dbFile: string): boolean {
  const path = reservePath(dbFile);
  if (!existsSync(path) || freeBytes(dirname(dbFile)) >= RESERVE_BYTES) return false;
  rmSync(path, { force: true });
  return true;
}
