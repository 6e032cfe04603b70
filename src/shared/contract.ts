/**
 * The whole main ↔ renderer contract, in one typed map (after Rancher Desktop's IPC map and Podman
 * Desktop's envelopes). Electron (ipcMain + preload) and the browser host (WebSocket) carry exactly
 * these messages; the renderer builds one typed `api` over either transport (client.ts), so a view
 * never knows where it runs. Plain data only: everything here crosses a process boundary.
 */
import type { ErrorData } from './errors.ts';
import type {
  BuildFileChange, BuildMissCause, BuildMissCode, BuildMissReason, ChangeEvent, DiskUsage, DiskUsageRow, HistoryEntry, ImageSummary, LayerInfo, ProgressEvent, StoreDiskUsage,
  LayerTree, SharedLayer, TreeEntry, TreeHidden,
} from './types.ts';

export type { ChangeEvent, DiskUsage, DiskUsageRow, StoreDiskUsage, HistoryEntry, ImageSummary, LayerInfo, ProgressEvent, LayerTree, SharedLayer, TreeEntry, TreeHidden };
export type { BuildFileChange, BuildMissCause, BuildMissCode, BuildMissReason };

/** What the engine in this process can do; views hide or explain what is missing. */
export interface Features {
  load: boolean;
  save: boolean;
  import: boolean;
  build: boolean;
  containers: boolean;
  terminal: boolean;
  pull: boolean;
  push: boolean;
  nativeDialogs: boolean;
  /** Why containers (and RUN) cannot run on this machine, when `containers` is false. */
  containersUnavailable?: string;
  /**
   * How container user IDs map to the host's: `root` (Strata runs as root), `subordinate`
   * (rootless with /etc/subuid ranges, like podman), `single` (rootless without: limited, every
   * file is owned by the user).
   */
  idMapping?: 'root' | 'subordinate' | 'single';
  /** With `single`: the command that gives the user a subordinate range. */
  idMappingFix?: string;
}

/** How an engine answered when it was looked at (providers' discovery). */
export type EngineStatus =
  | { state: 'reachable'; apiVersion: string; version: string; os: string; rootless?: boolean }
  | { state: 'permission-denied'; message: string; fix: string }
  | { state: 'too-old'; apiVersion: string; message: string }
  | { state: 'unreachable'; message: string };

/** An engine the desktop can show: Strata's own store (id `default`) or one found the way docker finds them. */
export interface EngineEntry {
  id: string;
  kind: 'strata' | 'engine-api';
  /** Where it was found: `strata`, `DOCKER_HOST`, `context`, `docker`, `docker-rootless`, `podman-rootless`, `podman`. */
  source: string;
  /** unix:///run/docker.sock …; the store's root for Strata. */
  host: string;
  description: string;
  status: EngineStatus;
  /** The one the views show. */
  current: boolean;
}

export interface AppInfo {
  host: 'electron' | 'browser';
  root: string;
  version: string;
  platform: string;
  features: Features;
  /** The engine the views show (Strata's store unless the user switched). */
  engine: { id: string; kind: 'strata' | 'engine-api'; description: string };
}

export interface ImageDeleteItem {
  untagged?: string;
  deleted?: string;
}



export interface ImageDetail {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  created: number;
  size: number;
  env: string[];
  cmd: string[];
  entrypoint: string[];
  workingDir: string;
  /** docker-style `image inspect` object. */
  inspect: unknown;
}

export interface PrunePreview {
  images: { id: string; repoTags: string[]; size: number }[];
  /** Exact bytes the prune frees as docker counts them: the diff sizes of the layers it removes. */
  spaceReclaimed: number;
  /** Bytes of blob files it unlinks from `blobs/` (compressed as stored): not docker's figure. */
  storedBytes: number;
}

/** What removing a set of names would do (the images view's bulk remove, without force). */
export interface RemovePreview {
  /** Images deleted: every name of theirs is in the set and nothing uses them. */
  deleted: { id: string; repoTags: string[]; size: number }[];
  /** Names whose image stays (it keeps other names, or a container uses it): only untagged. */
  untagged: string[];
  /** docker's bytes the deletions free (the layers no other image uses). */
  spaceReclaimed: number;
}

/** A folder as the browser host's file browser shows it: its folders, and archives when asked for. */
export interface FolderListing {
  path: string;
  home: string;
  /** The folder the browser is limited to: home unless another root was typed. */
  root: string;
  /** null at the root: the browser does not go above it. */
  parent: string | null;
  /** This folder holds a Dockerfile. */
  dockerfile: boolean;
  folders: { name: string; dockerfile: boolean }[];
  /** Archives `load` reads (.tar, .tar.gz, .tgz), when asked for. */
  files: { name: string; size: number }[];
  /** Entries not listed (beyond the listing's limit). */
  leftOut: number;
}

export interface PruneResult {
  deleted: ImageDeleteItem[];
  spaceReclaimed: number;
  storedBytesFreed: number;
}

/** The disk view's prune actions: docker's `image prune`, `image prune -a`, `container prune`, `builder prune -a`. */
export type PruneAction = 'dangling-images' | 'unused-images' | 'stopped-containers' | 'build-cache';

/** What each prune action would free (docker's bytes); running it reports exactly this figure. */
export type PruneActions = Record<PruneAction, number>;

export interface SystemDf {
  usage: DiskUsage;
  rows: DiskUsageRow[];
  /** Sum of the `images` SIZE column: shared layers counted once per image. */
  imagesTotal: number;
  /** What the store really occupies on disk (the same figures as `system df -v`'s last section); absent for another engine, whose files Strata cannot see. */
  disk?: StoreDiskUsage;
}


export interface BuildContextInfo {
  path: string;
  dockerfile: string;
  dockerfileText: string;
  dockerignore: boolean;
  contextSize: number;
  fileCount: number;
}

export interface DialogResult {
  canceled: boolean;
  path?: string;
}

export interface ContainerSummary {
  id: string;
  names: string[];
  image: string;
  imageId: string;
  command: string;
  created: number;
  state: string;
  /** docker's STATUS column (`Up 5 seconds`, `Exited (0) 2 minutes ago`), for the CLI-minded. */
  status: string;
  /** Unix seconds (0 when never started / not finished). */
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** Running in the process that serves this UI, so its terminal can be attached (not one started from the CLI). */
  attached?: boolean;
  /** Bytes in its writable layer: what removing it frees. */
  sizeRw?: number;
  /** docker's PORTS column (`127.0.0.1:8080->80/tcp`); empty when nothing is published or it is stopped. */
  ports?: string;
}

export interface ContainerChange {
  kind: 'A' | 'C' | 'D';
  path: string;
}

export interface ContainerFile {
  path: string;
  type: string;
  size: number;
  change?: 'A' | 'C' | 'D';
}

/** A registry the host holds credentials for. Never the password: it stays in main. */
export interface RegistryLogin {
  registry: string;
  username: string;
}

export interface RegistryLogins {
  /**
   * `sealed`: encrypted with Electron's safeStorage; `docker-config`: docker's config.json auths
   * (base64); `credential-helper`: the docker credential helper config.json names (`credsStore`).
   */
  storage: 'sealed' | 'docker-config' | 'credential-helper';
  /** With `credential-helper`: its name (`pass` for docker-credential-pass). */
  helper?: string;
  /** The file the credentials live in. */
  location: string;
  logins: RegistryLogin[];
  /** Why this host cannot store secrets (no OS keychain for safeStorage). */
  unavailable?: string;
}

/** The Engine API service the desktop can run (docker, compose and SDKs drive the store through it). */
export interface ServiceStatus {
  running: boolean;
  /** unix:///…/strata.sock */
  socket: string;
  /** The docker context that points at it, and the line that makes docker use it. */
  context: string;
  command: string;
}

/** Requests: name → params → result. */
export interface Requests {
  'app.info': { params: Record<string, never>; result: AppInfo };
  /** Strata's store plus every engine found, each looked at. */
  'engines.list': { params: Record<string, never>; result: EngineEntry[] };
  /** Shows the views on this engine (remembered for the user); refused when it cannot be reached. */
  'engines.use': { params: { id: string }; result: EngineEntry };
  'service.status': { params: Record<string, never>; result: ServiceStatus };
  /** Starts or stops serving the Docker Engine API from this process. */
  'service.toggle': { params: { running: boolean }; result: ServiceStatus };
  'images.list': { params: Record<string, never>; result: ImageSummary[] };
  'images.inspect': { params: { ref: string }; result: ImageDetail };
  'images.history': { params: { ref: string }; result: HistoryEntry[] };
  'images.layers': { params: { ref: string }; result: LayerInfo[] };
  'images.layerTree': { params: { ref: string; position: number }; result: LayerTree };
  'images.tag': { params: { source: string; target: string }; result: null };
  'images.remove': { params: { refs: string[]; force: boolean }; result: ImageDeleteItem[] };
  'images.prunePreview': { params: { all: boolean }; result: PrunePreview };
  'images.prune': { params: { all: boolean }; result: PruneResult };
  'images.removePreview': { params: { refs: string[] }; result: RemovePreview };
  'system.df': { params: Record<string, never>; result: SystemDf };
  'system.layers': { params: Record<string, never>; result: SharedLayer[] };
  'system.prunePreview': { params: Record<string, never>; result: PruneActions };
  'system.prune': { params: { action: PruneAction }; result: { spaceReclaimed: number } };
  'build.context': { params: { path: string; dockerfile?: string }; result: BuildContextInfo };
  'build.writeDockerfile': { params: { path: string; dockerfile: string; text: string }; result: null };
  /** The browser host's file browser: a folder under `root` (home when absent; `~` and `~/x` allowed); '' is the root. */
  'files.browse': { params: { path: string; root?: string; archives?: boolean }; result: FolderListing };
  /** The contexts of recent builds, newest first. */
  'build.recent': { params: Record<string, never>; result: string[] };
  'build.history': { params: { path: string; dockerfile: string }; result: { builds: BuildSummary[]; advice: BuildAdvice[] } };
  'containers.list': { params: { all: boolean }; result: ContainerSummary[] };
  'containers.create': { params: { image: string; name: string; command: string[]; env: string[]; ports?: string[] }; result: { id: string } };
  'images.env': { params: { ref: string }; result: { env: string[]; cmd: string[]; entrypoint: string[] } };
  'containers.remove': { params: { id: string; force: boolean }; result: null };
  'containers.stop': { params: { id: string }; result: null };
  /** Starts it in the host process (so its terminal can attach); refused when it already runs. */
  'containers.start': { params: { id: string }; result: null };
  /** docker restart: stop (grace period, then kill), then start. */
  'containers.restart': { params: { id: string }; result: null };
  /** docker-style `container inspect` object. */
  'containers.inspect': { params: { id: string }; result: unknown };
  'containers.files': { params: { id: string; dir: string }; result: ContainerFile[] };
  'containers.readFile': { params: { id: string; path: string }; result: { text: string; binary: boolean } };
  'containers.writeFile': { params: { id: string; path: string; text: string }; result: null };
  'containers.diff': { params: { id: string }; result: ContainerChange[] };
  'containers.commit': {
    params: { id: string; repository: string; message: string; author: string; changes: string[] };
    result: { id: string };
  };
  'registry.logins': { params: Record<string, never>; result: RegistryLogins };
  /** `docker login`: verified against the registry, then stored. The password crosses IPC only here. */
  'registry.login': { params: { registry: string; username: string; password: string }; result: { registry: string } };
  'registry.logout': { params: { registry: string }; result: { registry: string; removed: boolean } };
  'dialog.openFolder': { params: { title: string }; result: DialogResult };
  'dialog.openFile': { params: { title: string }; result: DialogResult };
  'dialog.saveFile': { params: { title: string; defaultName: string }; result: DialogResult };
}

export interface BuildStepEvent {
  type: 'step';
  /** BuildKit's vertex number (`#n`). */
  n: number;
  name: string;
  /** Stage shown in progress lines ('' in single-stage builds), and the step's place in it. */
  stage: string;
  position?: number;
  total?: number;
  state: 'running' | 'cached' | 'done' | 'error';
  /** Why the cache missed, in the CLI's English (`COPY app.js .: app.js changed (sha256 3f…→9a…)`). */
  missReason?: string;
  /** The same reason as data; views render it in the user's language (the text is the fallback for codes they do not know). */
  missCause?: BuildMissReason;
  durationMs?: number;
}

export type BuildEvent =
  | BuildStepEvent
  | { type: 'log'; n: number; text: string }
  | { type: 'error'; n?: number; message: string; line?: number }
  | { type: 'message'; text: string };

export interface BuildStepSummary {
  n: number;
  stage: string;
  position: number;
  total: number;
  instruction: string;
  status: 'cached' | 'done' | 'failed' | 'skipped';
  reason: string;
  selfChanged: boolean;
  durationMs: number;
  size: number;
}

export interface BuildSummary {
  id: string;
  context: string;
  dockerfile: string;
  tags: string[];
  startedAt: number;
  finishedAt: number | null;
  status: 'running' | 'success' | 'failed' | 'cancelled';
  imageId: string | null;
  error: string | null;
  steps: BuildStepSummary[];
}

/** A step that never changed in earlier builds but re-ran below a changing one (advisor.ts StableStep). */
export interface BuildAdviceStep {
  line: number;
  instruction: string;
  /** Mean time and layer bytes when it ran. */
  meanMs: number;
  meanBytes: number;
}

/** An instruction-order suggestion from earlier builds of the same Dockerfile (the engine's advisor.ts). */
export interface BuildAdvice {
  stage: string;
  /** The step whose own inputs keep changing, and its Dockerfile line. */
  line: number;
  instruction: string;
  /** Rebuilds that changed it, of the rebuilds compared. */
  changedBuilds: number;
  comparedBuilds: number;
  /** The stable steps right below it, which re-ran only because of it. */
  stableBelow: BuildAdviceStep[];
  /** What moving it below them would save per change. */
  savedMs: number;
  savedBytes: number;
  /** The advisor's English sentence (the CLI's wording). */
  message: string;
}

/** Streams: long work keyed by a stream id, with events, a final result and cancellation. */
export interface Streams {
  'images.load': { params: { path: string }; event: ProgressEvent; result: { loaded: string[] } };
  'images.save': { params: { refs: string[]; path: string }; event: ProgressEvent; result: null };
  'images.import': { params: { path: string; ref: string }; event: ProgressEvent; result: { id: string } };
  'images.pull': { params: { ref: string }; event: ProgressEvent; result: { id: string } };
  'images.push': { params: { ref: string }; event: ProgressEvent; result: null };
  'build.run': {
    params: { path: string; dockerfile: string; tags: string[]; buildArgs: Record<string, string>; target: string; noCache: boolean };
    event: BuildEvent;
    result: { id: string; buildId: string };
  };
  'containers.terminal': { params: { id: string; cols: number; rows: number }; event: { data: string }; result: { exitCode: number } };
  'containers.logs': { params: { id: string; follow?: boolean }; event: { data: string }; result: null };
  /** An image from one engine to another: the source's save streamed into the target's load. */
  'images.copy': { params: { ref: string; from: string; to: string }; event: ProgressEvent; result: { loaded: string[] } };
}

export type RequestName = keyof Requests;
export type ParamsOf<K extends RequestName> = Requests[K]['params'];
export type ResultOf<K extends RequestName> = Requests[K]['result'];
export type StreamName = keyof Streams;
export type StreamParams<K extends StreamName> = Streams[K]['params'];
export type StreamEventOf<K extends StreamName> = Streams[K]['event'];
export type StreamResult<K extends StreamName> = Streams[K]['result'];

/** An error as it crosses the contract: one of the shared error codes, one line of message, structured details. */
export type ErrorInfo = ErrorData;

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Messages main pushes without being asked. */
export type PushMessage =
  | { type: 'change'; event: ChangeEvent }
  | { type: 'stream-event'; id: string; event: unknown };

/**
 * The raw transport: what the preload exposes on `window.strata` and what the WebSocket client
 * implements. Untyped on purpose (it crosses contextBridge); `createApi` types it.
 */
export interface Transport {
  host: 'electron' | 'browser';
  invoke(name: string, params: unknown): Promise<Envelope<unknown>>;
  /** Starts a stream; resolves with its final envelope when it ends. */
  streamOpen(id: string, name: string, params: unknown): Promise<Envelope<unknown>>;
  streamCancel(id: string): void;
  /** Input to a stream (a terminal's keystrokes, a resize as `\u0000resize:COLSxROWS`). */
  streamInput(id: string, data: string): void;
  onPush(listener: (msg: PushMessage) => void): () => void;
}

/** IPC channel names used by Electron. */
export const Channels = {
  invoke: 'strata:invoke',
  stream: 'strata:stream',
  cancel: 'strata:cancel',
  input: 'strata:input',
  push: 'strata:push',
} as const;

export const RESIZE_PREFIX = '\u0000resize:';
