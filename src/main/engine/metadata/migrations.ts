/**
 * The core schema (service `core`, see db.ts `migrate`). Never edit a shipped step: append one.
 *
 * Rooms (after containerd's metadata): blobs are content; layers and images are records pointing
 * at content; tags name images; leases keep in-flight content alive for gc.
 */
export const CORE_MIGRATIONS: readonly string[] = [
  /* 1: content, layers, images, references, leases */ `
  CREATE TABLE blobs (
    digest      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
  ) STRICT;

  -- A layer is identified by its diff ID (digest of the uncompressed tar).
  CREATE TABLE layers (
    diff_id      TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,          -- uncompressed bytes (the tar); docker's size is diff_size (step 2)
    file_count   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
  ) STRICT;

  -- The stored forms of a layer: the same diff ID may arrive uncompressed, gzip or zstd.
  CREATE TABLE layer_blobs (
    blob_digest  TEXT PRIMARY KEY REFERENCES blobs(digest),
    diff_id      TEXT NOT NULL REFERENCES layers(diff_id),
    compression  TEXT NOT NULL CHECK (compression IN ('none', 'gzip', 'zstd'))
  ) STRICT;
  CREATE INDEX layer_blobs_diff ON layer_blobs(diff_id);

  -- The file index of a layer, recorded at ingest so trees and waste are shown without the tar.
  CREATE TABLE layer_files (
    diff_id     TEXT NOT NULL REFERENCES layers(diff_id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    type        TEXT NOT NULL,
    mode        INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    gid         INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    link_target TEXT NOT NULL DEFAULT '',
    mtime       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (diff_id, path)
  ) STRICT, WITHOUT ROWID;

  -- Image ID = digest of the config blob.
  CREATE TABLE images (
    id               TEXT PRIMARY KEY REFERENCES blobs(digest),
    manifest_digest  TEXT REFERENCES blobs(digest),
    parent_id        TEXT NOT NULL DEFAULT '',
    created          INTEGER NOT NULL,       -- unix seconds from the config
    size             INTEGER NOT NULL,       -- logical size: all layers (docker's rule since step 2)
    labels           TEXT NOT NULL DEFAULT '{}',
    added_at         INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE image_layers (
    image_id     TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    diff_id      TEXT NOT NULL REFERENCES layers(diff_id),
    blob_digest  TEXT NOT NULL REFERENCES layer_blobs(blob_digest),
    chain_id     TEXT NOT NULL,
    PRIMARY KEY (image_id, position)
  ) STRICT;
  CREATE INDEX image_layers_diff ON image_layers(diff_id);
  CREATE INDEX image_layers_blob ON image_layers(blob_digest);

  -- Fully normalised references: docker.io/library/alpine:latest. One reference names one image.
  CREATE TABLE tags (
    reference   TEXT PRIMARY KEY,
    repository  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tags_image ON tags(image_id);

  -- repo@digest references (RepoDigests), recorded on pull/push/load.
  CREATE TABLE repo_digests (
    repository  TEXT NOT NULL,
    digest      TEXT NOT NULL,
    image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (repository, digest)
  ) STRICT;
  CREATE INDEX repo_digests_image ON repo_digests(image_id);

  -- Leases keep content written by an operation in progress safe from gc: while a lease's process
  -- lives, blob files newer than the lease are not swept even though no row names them yet.
  CREATE TABLE leases (
    id          TEXT PRIMARY KEY,
    pid         INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;

  -- How many images use each layer (the layer's reference count).
  CREATE VIEW layer_refs AS
    SELECT l.diff_id, l.size, COUNT(DISTINCT il.image_id) AS refs
    FROM layers l LEFT JOIN image_layers il ON il.diff_id = l.diff_id
    GROUP BY l.diff_id;
  `,
  /* 2: the change feed (events/event-log.ts): one row per change, written in the change's own transaction */ `
  CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order: writers are serialised, ids never reused
    time_nano   INTEGER NOT NULL,                   -- unix nanoseconds
    type        TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    attributes  TEXT NOT NULL DEFAULT '{}'
  ) STRICT;
  CREATE INDEX events_time ON events(time_nano);
  `,
  /* 3: docker's sizes. `layers.diff_size` is what a layer holds on disk as docker counts it (regular
     files and symlink targets, each inode once; see layer/file-index.ts `diffSize`), backfilled from
     the file index; `layers.size` stays the uncompressed tar's bytes. `images.size` becomes the sum of
     its distinct layers' diff sizes, the figure `docker images` shows. */ `
  ALTER TABLE layers ADD COLUMN diff_size INTEGER NOT NULL DEFAULT 0;
  UPDATE layers SET diff_size = coalesce((
    SELECT sum(CASE f.type WHEN 'file' THEN f.size WHEN 'symlink' THEN length(CAST(f.link_target AS BLOB)) ELSE 0 END)
    FROM layer_files f WHERE f.diff_id = layers.diff_id), 0);
  UPDATE images SET size = coalesce((
    SELECT sum(l.diff_size) FROM (SELECT DISTINCT diff_id FROM image_layers WHERE image_id = images.id) d
    JOIN layers l ON l.diff_id = d.diff_id), 0);
  `,
];
