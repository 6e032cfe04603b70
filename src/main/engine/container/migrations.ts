/** The containers service's schema (see metadata/db.ts `migrate`). Never edit a shipped step: append one. */
export const CONTAINER_MIGRATIONS: readonly string[] = [
  /* 1: container records */ `
  CREATE TABLE containers (
    id           TEXT PRIMARY KEY,            -- 64 hex digits
    name         TEXT NOT NULL UNIQUE,        -- without the leading '/'
    image_id     TEXT NOT NULL,               -- the image's config digest
    image        TEXT NOT NULL,               -- the image as the user named it
    config       TEXT NOT NULL,               -- JSON ContainerSettings
    created      INTEGER NOT NULL,            -- unix ms
    state        TEXT NOT NULL DEFAULT 'created' CHECK (state IN ('created', 'running', 'exited')),
    exit_code    INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL DEFAULT 0,
    finished_at  INTEGER NOT NULL DEFAULT 0,
    monitor_pid  INTEGER NOT NULL DEFAULT 0,  -- the process that runs it (CLI or detached monitor)
    monitor_start TEXT NOT NULL DEFAULT '',   -- its start time in /proc, against pid reuse
    sandbox_pid  INTEGER NOT NULL DEFAULT 0   -- the sandbox's process group
  ) STRICT;
  CREATE INDEX containers_image ON containers(image_id);
  `,
];
