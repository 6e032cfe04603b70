import { StrataError } from '../../../shared/errors.ts';
import type { DB } from '../metadata/db.ts';
import type { DiskUsageBuildCache, DiskUsageContainer } from '../../../shared/types.ts';

/** A column of a table in the store's database whose non-null values name content a service keeps. */
export interface ColumnRef {
  table: string;
  column: string;
}

/** One image's user: a container, with whether it runs (docker's rmi rules differ). */
export interface ImageUser {
  id: string;
  running: boolean;
}

/**
 * What another service holds or references in the image store (containerd's collectible
 * resources): the layers and blobs its rows keep alive, the images it uses, and what it tells
 * `system df`. Every part is optional.
 */
export interface Resource {
  /** Who holds, in words ("container", "build cache"); one registration per kind. */
  kind: string;
  /** Layers (diff IDs) this resource's rows keep from the collector. */
  layers?: ColumnRef;
  /** Blobs (digests) this resource's rows keep from the collector. */
  blobs?: ColumnRef;
  /**
   * Layer stacks (chain IDs) this resource's rows stand on: their snapshots stay through
   * `system gc`, and `rmi` does not report them deleted with an image.
   */
  chains?: ColumnRef;
  /** The users of one image: an image with users is removed only by force, and prune keeps it. */
  imageUsers?(imageId: string): ImageUser[];
  /** Image ID → how many of this resource's records use it, for `system df` in one query. */
  imageUseCounts?(): Map<string, number>;
  /** `system df`'s containers section. */
  containers?(): DiskUsageContainer[];
  /** `system df`'s build cache section. */
  buildCache?(): DiskUsageBuildCache[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * The one place services register what they hold: the collector, image removal and `system df`
 * read it. Registration is checked against the database schema, so a misspelt table or column
 * fails when the service starts, not as a collection that silently deletes what it should keep.
 */
export class References {
  private readonly db: DB;
  private readonly resources: Resource[] = [];

  constructor(db: DB) {
    this.db = db;
  }

  /** Registers `resource`; returns its unregistration. */
  register(resource: Resource): () => void {
    if (this.resources.some((r) => r.kind === resource.kind)) {
      throw new StrataError('already-exists', `a resource of kind "${resource.kind}" is already registered`);
    }
    for (const ref of [resource.layers, resource.blobs, resource.chains]) if (ref) this.checkColumn(ref, resource.kind);
    this.resources.push(resource);
    return () => {
      const i = this.resources.indexOf(resource);
      if (i >= 0) this.resources.splice(i, 1);
    };
  }

  /** SELECTs, one per registration, each returning one column of diff IDs the collector keeps. */
  layerRoots(): string[] {
    return this.resources.flatMap((r) => (r.layers ? [select(r.layers)] : []));
  }

  /** SELECTs, one per registration, each returning one column of blob digests the collector keeps. */
  blobRoots(): string[] {
    return this.resources.flatMap((r) => (r.blobs ? [select(r.blobs)] : []));
  }

  /** SELECTs, one per registration, each returning one column of chain IDs whose snapshots stay. */
  chainRoots(): string[] {
    return this.resources.flatMap((r) => (r.chains ? [select(r.chains)] : []));
  }

  /** Chain IDs some image or registered resource stands on (snapshots in use, layers still held). */
  chainsInUse(): Set<string> {
    const sql = ['SELECT chain_id FROM image_layers', ...this.chainRoots()].join(' UNION ');
    return new Set((this.db.prepare(sql).pluck().all() as string[]));
  }

  imageUsers(imageId: string): ImageUser[] {
    return this.resources.flatMap((r) => r.imageUsers?.(imageId) ?? []);
  }

  /** Image ID → records using it, summed over every resource that counts them. */
  imageUseCounts(): Map<string, number> {
    const total = new Map<string, number>();
    for (const r of this.resources) {
      for (const [id, n] of r.imageUseCounts?.() ?? []) total.set(id, (total.get(id) ?? 0) + n);
    }
    return total;
  }

  containers(): DiskUsageContainer[] {
    return this.resources.flatMap((r) => r.containers?.() ?? []);
  }

  buildCache(): DiskUsageBuildCache[] {
    return this.resources.flatMap((r) => r.buildCache?.() ?? []);
  }

  private checkColumn(ref: ColumnRef, kind: string): void {
    const known = IDENTIFIER.test(ref.table) && IDENTIFIER.test(ref.column) &&
      (this.db.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(ref.table, ref.column) !== undefined);
    if (!known) {
      throw new StrataError('invalid', `${kind}: the store has no column ${ref.table}.${ref.column} to keep content by`);
    }
  }
}

function select(ref: ColumnRef): string {
  return `SELECT ${ref.column} FROM ${ref.table} WHERE ${ref.column} IS NOT NULL`;
}
