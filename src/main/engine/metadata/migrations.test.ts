import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from './db.ts';
import { CORE_MIGRATIONS } from './migrations.ts';
import { tempDir } from '../../../../test/tmp.ts';

describe('core migrations', () => {
  it("backfills docker's layer and image sizes from the file index of a store made before them", () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'strata.db');
      const old = new Database(file);
      old.exec('CREATE TABLE schema_versions (service TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT');
      migrate(old, 'core', CORE_MIGRATIONS.slice(0, 1));
      const blob = old.prepare('INSERT INTO blobs(digest, size, created_at) VALUES (?, ?, 0)');
      for (const d of ['sha256:c', 'sha256:l1', 'sha256:l2']) blob.run(d, 10);
      old.prepare("INSERT INTO layers(diff_id, size, created_at) VALUES ('sha256:l1', 10240, 0), ('sha256:l2', 2048, 0)").run();
      const file1 = old.prepare('INSERT INTO layer_files(diff_id, path, type, mode, uid, gid, size, link_target) VALUES (?, ?, ?, 0, 0, 0, ?, ?)');
      file1.run('sha256:l1', 'bin', 'dir', 0, '');
      file1.run('sha256:l1', 'bin/busybox', 'file', 1000, '');
      file1.run('sha256:l1', 'bin/sh', 'symlink', 0, 'busybox');
      file1.run('sha256:l1', 'bin/ash', 'hardlink', 0, 'bin/busybox');
      file1.run('sha256:l2', 'gone', 'whiteout', 0, '');
      file1.run('sha256:l2', 'note', 'file', 51, '');
      old.prepare("INSERT INTO images(id, parent_id, created, size, added_at) VALUES ('sha256:c', '', 0, 12288, 0)").run();
      const il = old.prepare("INSERT INTO image_layers(image_id, position, diff_id, blob_digest, chain_id) VALUES ('sha256:c', ?, ?, ?, '')");
      old.prepare("INSERT INTO layer_blobs(blob_digest, diff_id, compression) VALUES ('sha256:l1', 'sha256:l1', 'none'), ('sha256:l2', 'sha256:l2', 'none')").run();
      il.run(0, 'sha256:l1', 'sha256:l1');
      il.run(1, 'sha256:l2', 'sha256:l2');
      old.close();

      const db = openDatabase(file);
      expect(db.prepare('SELECT diff_id, size, diff_size FROM layers ORDER BY diff_id').all()).toEqual([
        { diff_id: 'sha256:l1', size: 10240, diff_size: 1000 + 'busybox'.length },
        { diff_id: 'sha256:l2', size: 2048, diff_size: 51 },
      ]);
      expect(db.prepare('SELECT size FROM images').get()).toEqual({ size: 1007 + 51 });
      db.close();
    } finally {
      dir.cleanup();
    }
  });

  it('applies a step another connection added after this one read the versions, and only once', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'strata.db');
      const steps = ['CREATE TABLE t1 (x INTEGER) STRICT', 'CREATE TABLE t2 (x INTEGER) STRICT', 'CREATE TABLE t3 (x INTEGER) STRICT'];
      const a = openDatabase(file);
      const b = openDatabase(file);
      migrate(a, 'svc', steps.slice(0, 1));
      migrate(b, 'svc', steps.slice(0, 2)); // b read the versions before svc existed
      migrate(a, 'svc', steps.slice(0, 2)); // a knows version 1: its checked path finds 2, runs nothing
      migrate(a, 'svc', steps);
      migrate(a, 'svc', steps); // current: the fast path
      expect(b.prepare('SELECT version FROM schema_versions WHERE service = ?').get('svc')).toEqual({ version: 3 });
      expect(b.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 't_' ORDER BY name").all()).toEqual([{ name: 't1' }, { name: 't2' }, { name: 't3' }]);
      a.close();
      b.close();
    } finally {
      dir.cleanup();
    }
  });
});
