/** The builder's public shapes: what a build is asked, what it reports, what it returns. */
import type { BuildMissReason } from '../api.ts';
import type { BuildStepRecord } from './history-store.ts';

export interface BuildOptions {
  /** The build context directory. */
  context: string;
  /** Dockerfile path (relative to the current directory); default CONTEXT/Dockerfile. */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** `--pull`: ask the registry for a newer base image even when one is stored (missing ones are always pulled). */
  pull?: boolean;
  /** `build --network`: the network of RUN steps that do not ask for one (default `none`). */
  network?: 'host' | 'none' | 'default';
  /** `build --allow`: BuildKit's entitlements; `network.host` lets `RUN --network=host` have the host's network. */
  allow?: string[];
  signal?: AbortSignal;
  onEvent?: (event: BuildEvent) => void;
}

/**
 * Progress of a build as plain data: the CLI prints it (BuildKit's plain format) and the UI
 * streams it. `n` is the vertex number (`#n`).
 */
export type BuildEvent =
  | { type: 'vertex'; n: number; name: string; stage?: string; position?: number; total?: number; line?: number }
  /** The step was served from the cache (no `done` follows). */
  | { type: 'cached'; n: number }
  /** `reason` is the CLI's English line; `cause` the same as data for the UI. */
  | { type: 'miss'; n: number; reason: string; cause: BuildMissReason }
  | { type: 'log'; n: number; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'status'; n: number; text: string }
  | { type: 'done'; n: number; durationMs: number }
  | { type: 'error'; n?: number; message: string; line?: number }
  | { type: 'warning'; message: string }
  | { type: 'result'; buildId: string; imageId: string; tags: string[] };

export interface BuildResult {
  buildId: string;
  imageId: string;
  tags: string[];
  steps: BuildStepRecord[];
}
