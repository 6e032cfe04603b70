import type { DB } from './metadata/db.ts';
import type { ContentStore } from './store/content-store.ts';
import type { ChangeBus } from './events/change-bus.ts';
import type { EventLog } from './events/event-log.ts';
import type { ImageService } from './image/image-service.ts';
import type { GarbageCollector } from './gc/gc.ts';
import type { References } from './references/references.ts';

/**
 * The rooms of the store that services are handed (containerd's `NewDB(db, content,
 * snapshotters)`), never the whole Engine: a service that the Engine constructs can then never
 * reach back into it, and each function's parameter (`Pick<Stores, 'db' | 'images'>`) says what
 * it touches.
 */
export interface Stores {
  readonly root: string;
  readonly db: DB;
  readonly content: ContentStore;
  /** The store's change feed: services record each change's event in its transaction. */
  readonly events: EventLog;
  readonly bus: ChangeBus;
  readonly images: ImageService;
  readonly gc: GarbageCollector;
  /** Where a service registers what it holds (gc roots, images in use, system df sections). */
  readonly references: References;
  /** A directory owned by one service, created on first use. */
  dir(name: string): string;
  onClose(fn: () => void): void;
}
