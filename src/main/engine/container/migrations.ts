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
  /* 2: the layer stack each container stands on, kept after its image is deleted (rmi -f) */ `
  CREATE TABLE container_layers (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,            -- 0 = lowest
    diff_id      TEXT NOT NULL,               -- kept from gc through the references registry
    chain_id     TEXT NOT NULL,               -- its snapshot, kept from gc the same way
    PRIMARY KEY (container_id, position)
  ) STRICT;
  CREATE INDEX container_layers_diff ON container_layers(diff_id);
  CREATE INDEX container_layers_chain ON container_layers(chain_id);
  INSERT INTO container_layers(container_id, position, diff_id, chain_id)
    SELECT c.id, il.position, il.diff_id, il.chain_id FROM containers c JOIN image_layers il ON il.image_id = c.image_id;
  `,
];
