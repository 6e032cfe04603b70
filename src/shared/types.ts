/**
 * The engine's public data shapes. They mirror the docker Engine API's JSON (ImageSummary,
 * HistoryResponseItem, DiskUsage) so the CLI's tables, the IPC contract and the UI all speak
 * docker's language. Plain data only: these cross process boundaries.
 */

/** One row of `images`: one per image, with every tag and digest that names it. */
export interface ImageSummary {
  /** `sha256:<hex>` of the config blob. */
  id: string;
  /** `<none>:<none>` is never listed here; an untagged image has an empty array. */
  repoTags: string[];
  repoDigests: string[];
  parentId: string;
  /** Unix seconds. */
  created: number;
  /**
   * Logical size: every layer of the image, shared or not, each counted as docker does (what the
   * layer holds on disk: regular files and symlinks, each inode once) — what `docker images` shows.
   */
  size: number;
  /** Bytes in layers that at least one other image also uses; -1 when not computed. */
  sharedSize: number;
  labels: Record<string, string>;
  /** Containers using this image; -1 when not computed. */
  containers: number;
}

/** One row of `history`, newest first. */
export interface HistoryEntry {
  /** The image ID when this step is itself an image in the store, otherwise `<missing>`. */
  id: string;
  /** Unix seconds (0 when unknown). */
  created: number;
  createdBy: string;
  /** Bytes the step's layer adds, by docker's rule (0 for empty layers). */
  size: number;
  comment: string;
  tags: string[];
  emptyLayer: boolean;
}

export interface LayerInfo {
  diffId: string;
  chainId: string;
  /** Digest of the blob as stored (may be compressed). */
  blobDigest: string;
  mediaType: string;
  /** docker's size: what the layer holds on disk (regular files and symlinks, each inode once). */
  size: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** Bytes of the blob as stored in `blobs/` (possibly compressed): not docker's figure. */
  blobSize: number;
  /** Images (IDs) that use this layer. */
  usedBy: string[];
}

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'whiteout' | 'opaque';

/** One entry of a layer's file index (recorded when the layer was stored). */
export interface LayerFile {
  path: string;
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget: string;
  mtime: number;
}

export interface DiskUsageImage {
  id: string;
  repoTags: string[];
  created: number;
  size: number;
  sharedSize: number;
  uniqueSize: number;
  containers: number;
}

export interface DiskUsageContainer {
  id: string;
  names: string[];
  /** As the daemon lists it: the reference typed, or the image's ID once it names another image. */
  image: string;
  /** The image's ID (docker's ImageID), when known. */
  imageId?: string;
  command: string;
  created: number;
  state: string;
  status: string;
  /** Bytes in the container's writable layer. */
  sizeRw: number;
  /** Writable layer plus the image's layers. */
  sizeRootFs: number;
  /** The container's labels (docker's df rows list them). */
  labels?: Record<string, string>;
  /** Its network mode (`bridge`, `none`, `host`). */
  network?: string;
  /** What it publishes, as the Engine API's container summary `Ports` rows. */
  ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
}

export interface DiskUsageBuildCache {
  id: string;
  type: string;
  description: string;
  size: number;
  createdAt: number;
  lastUsedAt: number;
  usageCount: number;
  inUse: boolean;
  shared: boolean;
}

/** What `system df` reports: each layer counted once. */
export interface DiskUsage {
  /** Sum of the sizes of all distinct layers (what is really used by images). */
  layersSize: number;
  images: DiskUsageImage[];
  containers: DiskUsageContainer[];
  buildCache: DiskUsageBuildCache[];
}

/**
 * What the store really occupies on disk, beside docker's logical figures (`system df -v`, the
 * Disk usage view): bytes allocated, counted as `du -x` counts them (blocks, each inode once).
 */
export interface StoreDiskUsage {
  /** The whole store directory. */
  total: number;
  /** `blobs/`: layer blobs (compressed as stored), configs, manifests, ingests in progress. */
  blobs: number;
  /** `snapshots/`: layers unpacked for RUN steps and containers. */
  snapshots: number;
  /** `containers/`: containers' writable layers and logs. */
  containers: number;
  /** Blob files only the build cache holds (no image uses their layer), and builds' scratch space. */
  buildCache: number;
  /** The metadata database with its write-ahead log and reserve file, and other services' small files. */
  metadata: number;
  /** Blob files that are a layer's second compressed form (say zstd beside gzip): counted in `blobs`. */
  secondForms: number;
  /** What `strata system gc` would free now: blob files nothing references, unused snapshots. */
  gcReclaimable: number;
}

/** A summary row of `system df`. */
export interface DiskUsageRow {
  type: 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

/** Progress of long work (load, save, pull, push, build); the CLI and the UI render the same events. */
export interface ProgressEvent {
  /** Short id of the item (layer digest prefix, step number …) or '' for the whole operation. */
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export type ProgressSink = (event: ProgressEvent) => void;

/**
 * Everything `system df` shows (src/main/engine/usage `diskUsage()`); `strata system df --report`
 * prints exactly this object, and the UI reads the same shape.
 */
export interface DiskUsageReport extends DiskUsage {
  /** docker's TYPE rows in docker's order: Images, Containers, Local Volumes, Build Cache. */
  summary: DiskUsageRow[];
}

/**
 * Something in the store changed, in this process or another (the store's event feed, docs/events.md);
 * UIs refresh what they show from these (emitted on ChangeBus). An empty `id` means several (a prune).
 */
export type ChangeEvent =
  | { kind: 'image'; action: 'added' | 'removed' | 'tagged' | 'untagged'; id: string; ref?: string }
  | { kind: 'container'; action: 'created' | 'started' | 'stopped' | 'removed' | 'changed'; id: string }
  | { kind: 'build-cache'; action: 'changed' | 'pruned' }
  | { kind: 'layer'; action: 'removed'; id: string }
  | { kind: 'registry'; action: 'login' | 'logout'; id: string };

/**
 * Why a build step missed the cache, as data: the CLI prints its English text (cache.ts
 * `missReasonText`), the UI renders it in the user's language. Plain data, no Node imports.
 */
export type BuildFileChange =
  | { path: string; change: 'added' | 'removed' }
  /** `from`/`to` are the content digests (`sha256:…`) before and after. */
  | { path: string; change: 'changed'; from: string; to: string };

export type BuildMissCause =
  /** Nothing was ever built from this instruction on this parent. */
  | { code: 'first-build' }
  /** Built on this parent before with the same inputs, but the row is gone (pruned). */
  | { code: 'not-in-cache' }
  | { code: 'no-cache' }
  /**
   * An earlier step missed, so this step's parent layer is new. `step` names it as the progress
   * shows it: BuildKit's `[2/5]` (`[build 2/5]`), or `LABEL (line 4)` for a config-only step.
   */
  | { code: 'parent-missed'; step: string }
  /** FROM resolves to another image than the last build of this Dockerfile used. */
  | { code: 'base-image-changed' }
  | { code: 'instruction-changed' }
  | { code: 'build-arg-changed'; names: string[] }
  /** At most five changes listed; `more` counts the rest. */
  | { code: 'files-changed'; files: BuildFileChange[]; more: number }
  /** COPY --from: the source stage or image is another one. */
  | { code: 'source-changed' }
  | { code: 'content-changed' };

export type BuildMissCode = BuildMissCause['code'];

/** A miss: the cause plus the instruction it is about (`COPY app.js .`, `RUN`, `FROM`), as the CLI prefixes it. */
export type BuildMissReason = BuildMissCause & { instruction: string };

/** One entry of a layer's file tree as the image sees it. */
export interface TreeEntry {
  path: string;
  type: string;
  size: number;
  linkTarget: string;
  /** A: new in this layer; M: replaces a file of a lower layer; D: a whiteout deleting one. */
  change: 'A' | 'M' | 'D';
  /** Overwritten or deleted by a later layer: its bytes are stored but never seen. */
  wasted: boolean;
  /** D entries: what the whiteout removes from the layers below. */
  hides?: TreeHidden;
}

/** What a whiteout removes from the layers below it (an opaque directory: its contents only). */
export interface TreeHidden {
  /** The removed entry's type, 'dir' for a directory or an opaque directory's contents, '' when nothing below has it. */
  type: string;
  /** Non-directory entries removed, and their bytes (regular files' sizes). */
  files: number;
  size: number;
  /** Positions (0-based) of the layers that put what it removes there, lowest first. */
  layers: number[];
}

export interface LayerTree {
  diffId: string;
  position: number;
  entries: TreeEntry[];
  /** Bytes in this layer that later layers overwrite or delete. */
  wastedBytes: number;
}

/** A stored layer and the images that use it (the layer-sharing view). */
export interface SharedLayer {
  diffId: string;
  size: number;
  usedBy: string[];
}

/** One row of `image layers`: what a layer holds and how much of it the image never shows. */
export interface LayerSummary {
  /** 0 for the base layer. */
  position: number;
  diffId: string;
  /** docker's size: what the layer holds on disk (regular files and symlinks, each inode once). */
  size: number;
  /** The history step that made the layer ('' when the config has none). */
  createdBy: string;
  /** Unix seconds (0 when unknown). */
  created: number;
  /** Files (not directories) new in this layer, replacing a lower one, or deleted by it. */
  added: number;
  modified: number;
  deleted: number;
  /** Bytes of this layer that later layers overwrite or delete. */
  wastedBytes: number;
}
