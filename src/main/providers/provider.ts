import type { Readable } from 'node:stream';
import type {
  DockerChange, DockerContainerSummary, DockerEvent, DockerHistoryItem, DockerImageDeleteItem, DockerImagesPruneResponse,
  DockerImageSummary, DockerJsonMessage, DockerSystemDf, Filters,
} from '../../shared/docker-api.ts';
import type { EngineStatus } from '../../shared/contract.ts';

/**
 * What the CLI and the views ask of an engine, in the Docker Engine API's vocabulary. Two kinds:
 * Strata's own store (providers/strata) and any engine speaking the Engine API (providers/engine-api:
 * Docker, Podman's compat service, a remote host). Errors are StrataErrors: 'not-found' carries the
 * engine's own wording ("No such image: x"), 'conflict' an image in use, 'unavailable' an engine
 * that does not answer.
 */
export interface Provider {
  readonly kind: 'strata' | 'engine-api';
  /** What the user calls it: "strata", a context name, or the host URL. */
  readonly name: string;

  listImages(options: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<DockerImageSummary[]>;
  /** The engine's inspect object as it came (keys in the engine's order). */
  inspectImage(name: string): Promise<Record<string, unknown>>;
  imageHistory(name: string): Promise<DockerHistoryItem[]>;
  tagImage(source: string, target: string): Promise<void>;
  removeImage(name: string, options: { force?: boolean; noPrune?: boolean }): Promise<DockerImageDeleteItem[]>;
  pruneImages(filters: Filters): Promise<DockerImagesPruneResponse>;
  /** A docker-archive tar of the named images, streamed. */
  saveImages(names: string[], signal?: AbortSignal): Promise<Readable>;
  /** Loads a docker-archive; the engine's progress messages in order. */
  loadImages(archive: Readable, options: { quiet?: boolean; signal?: AbortSignal }): AsyncIterable<DockerJsonMessage>;
  systemDf(): Promise<DockerSystemDf>;

  listContainers(options: { all?: boolean; filters?: Filters; size?: boolean; limit?: number }): Promise<DockerContainerSummary[]>;
  inspectContainer(id: string): Promise<Record<string, unknown>>;
  /** stdout and stderr, demultiplexed, in the order the engine sent them. */
  containerLogs(id: string, options: { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }>;
  containerChanges(id: string): Promise<DockerChange[]>;
  commitContainer(id: string, options: { repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[]; message?: string }): Promise<{ Id: string }>;
  removeContainer(id: string, options: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void>;
  startContainer(id: string): Promise<void>;
  /** docker stop: SIGTERM, then SIGKILL after `timeout` seconds (default: the container's own, 10). */
  stopContainer(id: string, options?: { timeout?: number }): Promise<void>;
  restartContainer(id: string, options?: { timeout?: number }): Promise<void>;

  /** docker pull: the engine's progress messages in order. `tag` may be a digest; none pulls every tag. */
  pullImage(image: { name: string; tag?: string }, options: { platform?: string; auth?: RegistryAuth; signal?: AbortSignal }): AsyncIterable<DockerJsonMessage>;
  /** docker push of one tag (or, without `tag`, every tag of `name`). */
  pushImage(name: string, options: { tag?: string; auth?: RegistryAuth; signal?: AbortSignal }): AsyncIterable<DockerJsonMessage>;
  /** The classic builder's `/build`: `context` is the tar the client streams; the messages in order. */
  buildImage(context: Readable, options: BuildImageOptions): AsyncIterable<DockerJsonMessage>;
  /** docker create: the new container's ID and the engine's warnings. */
  createContainer(spec: ContainerSpec): Promise<{ Id: string; Warnings: string[] }>;
  /**
   * Attaches to stdout and stderr (resolves once attached, before the container starts); the
   * output ends when the container exits, or when `signal` aborts (the connection is closed).
   */
  attachContainer(id: string, options?: { signal?: AbortSignal }): Promise<AsyncIterable<OutputChunk>>;
  /** Registers a wait with the engine (resolves once registered); `exited` settles with the exit status, or rejects when `signal` aborts. */
  waitContainer(id: string, condition: 'next-exit' | 'removed' | 'not-running', options?: { signal?: AbortSignal }): Promise<{ exited: Promise<number> }>;
  /** docker exec without a terminal: the command's output, then its exit code. */
  execInContainer(id: string, spec: ExecSpec): Promise<{ output: AsyncIterable<OutputChunk>; exitCode(): Promise<number> }>;

  /** The engine's event stream (until `signal` aborts, or `until`). */
  events(options: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal }): AsyncIterable<DockerEvent>;

  close(): void;
}

/** One piece of a container's output, demultiplexed. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** Registry credentials as the engine's X-Registry-Auth header carries them (docker's AuthConfig). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

/** What `docker build` sends beside the context (classic builder). */
export interface BuildImageOptions {
  tags: string[];
  /** The Dockerfile's path inside the context tar. */
  dockerfile: string;
  /** null: declared without a value (`--build-arg X` with X unset). */
  buildArgs: Record<string, string | null>;
  noCache: boolean;
  pull: boolean;
  quiet: boolean;
  network?: string;
  target?: string;
  platform?: string;
  signal?: AbortSignal;
}

/** What `docker run`/`create` asks for, the fields Strata passes to an engine. */
export interface ContainerSpec {
  image: string;
  cmd: string[];
  name?: string;
  env: string[];
  labels: Record<string, string>;
  entrypoint?: string;
  workdir?: string;
  user?: string;
  network?: string;
  autoRemove: boolean;
  /** Attach stdout and stderr (a foreground run). */
  attach: boolean;
}

export interface ExecSpec {
  cmd: string[];
  env: string[];
  user?: string;
  workdir?: string;
}

/** How an engine answered when it was looked at (the contract's type: the desktop shows it as it is). */
export type EngineState = EngineStatus;

/** The oldest Engine API Strata speaks (Docker 20.10, Podman 3's compat service). */
export const MIN_API_VERSION = '1.41';
/** The newest Strata asks for: an engine newer than this is talked to at this version. */
export const MAX_API_VERSION = '1.41';

export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}
