import { migrate, type DB } from '../metadata/db.ts';

/**
 * Which repositories of which registries a blob is known to exist in (docker's v2 metadata
 * service): recorded on pull and push, read on push to mount a blob from another repository of
 * the same registry instead of uploading it again. Only hints: a stale row costs one failed
 * mount, so it has no foreign key on blobs and gc ignores it.
 */
const REGISTRY_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE registry_blob_sources (
    digest       TEXT NOT NULL,
    registry     TEXT NOT NULL,
    repository   TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (digest, registry, repository)
  ) STRICT;
  `,
];

export function ensureRegistrySchema(db: DB): void {
  migrate(db, 'registry', REGISTRY_MIGRATIONS);
}

export function recordBlobSources(db: DB, registry: string, repository: string, digests: readonly string[]): void {
  const put = db.prepare(
    `INSERT INTO registry_blob_sources(digest, registry, repository, recorded_at) VALUES (?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET recorded_at = excluded.recorded_at`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (const d of digests) put.run(d, registry, repository, now);
  }).immediate();
}

/** Repositories on `registry` known to hold `digest`, most recently seen first. */
export function blobSources(db: DB, registry: string, digest: string): string[] {
  return (
    db.prepare('SELECT repository FROM registry_blob_sources WHERE digest = ? AND registry = ? ORDER BY recorded_at DESC').all(digest, registry) as {
      repository: string;
    }[]
  ).map((r) => r.repository);
}
