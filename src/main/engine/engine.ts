import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase, type DB } from './metadata/db.ts';
import { ContentStore } from './store/content-store.ts';
import { ImageService } from './image/image-service.ts';
import { GarbageCollector } from './gc/gc.ts';
import { References } from './references/references.ts';
import { ChangeBus } from './events/change-bus.ts';
import { EventLog } from './events/event-log.ts';
import { ChangeFeed } from './events/feed.ts';
import { fsck, type FsckReport } from './fsck/fsck.ts';
import { defaultRoot } from './paths.ts';
import { registerBuildService } from './build/cache.ts';
import { ContainerService } from './container/container-service.ts';

export interface EngineOptions {
  /** Store directory; defaults to STRATA_ROOT or the platform's per-user data directory. */
  root?: string;
}

/**
 * Creates a store directory only its owner may enter (0700), and closes one that already exists
 * more openly (say a `mkdir`ed 0755 root): as root, image layers put setuid-root files and device
 * nodes under snapshots/ and containers/, which no other local user may reach.
 */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, st.mode & 0o7700);
}

/**
 * The engine: the rooms of the store, opened together. Operations that span rooms (load, save,
 * build, pull …) are functions in their service folders that take an Engine; stateful services
 * that must be present whenever the store is open (they hold gc roots or keep images in use)
 * are constructed here.
 *
 * Layout of the root: `strata.db` (metadata), `blobs/` (content store), `snapshots/`,
 * `containers/` (service-owned directories).
 */
export class Engine {
  readonly root: string;
  readonly db: DB;
  readonly content: ContentStore;
  /** The store's change feed: services record each change's event in its transaction. */
  readonly events: EventLog;
  /** Follows the feed (this and other processes' changes). */
  readonly feed: ChangeFeed;
  /** The feed as the contract's change events, for the views. */
  readonly bus: ChangeBus;
  readonly images: ImageService;
  readonly gc: GarbageCollector;
  /** What services hold or reference: gc roots, images in use, system df's sections. */
  readonly references: References;
  readonly containers: ContainerService;
  private readonly closers: (() => void)[] = [];

  private constructor(root: string) {
    this.root = root;
    privateDir(root);
    const dbFile = join(root, 'strata.db');
    this.db = openDatabase(dbFile);
    this.content = new ContentStore(join(root, 'blobs'));
    this.events = new EventLog(this.db);
    this.feed = new ChangeFeed(this.db, this.events, dbFile);
    this.bus = new ChangeBus(this.feed);
    this.references = new References(this.db);
    this.images = new ImageService(this.db, this.content, this.events, this.references);
    this.gc = new GarbageCollector(this.db, this.content, this.events, this.references);
    // Build cache schema and its layers as gc roots, present whenever the store is open.
    registerBuildService(this);
    // Containers hold their images (rmi needs -f) and report their writable layers to system df.
    this.containers = new ContainerService(this);
  }

  static open(options: EngineOptions = {}): Engine {
    return new Engine(resolve(options.root ?? defaultRoot()));
  }

  /** A directory owned by one service, created on first use. */
  dir(name: string): string {
    const d = join(this.root, name);
    privateDir(d);
    return d;
  }

  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  fsck(): Promise<FsckReport> {
    return fsck(this.db, this.content, this.gc);
  }

  close(): void {
    for (const fn of this.closers.splice(0).reverse()) fn();
    this.feed.close();
    this.db.close();
  }
}
