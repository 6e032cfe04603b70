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
  /** docker stop: SIGTERM, then SIGKILL after the grace period. */
  stopContainer(id: string): Promise<void>;
  restartContainer(id: string): Promise<void>;

  /** The engine's event stream (until `signal` aborts, or `until`). */
  events(options: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal }): AsyncIterable<DockerEvent>;

  close(): void;
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
