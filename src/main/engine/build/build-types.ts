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

/** An instruction's place among all of its stage's instructions (the classic builder's `Step 2/6`). */
export interface InstructionIndex {
  index: number;
  count: number;
}

/**
 * Progress of a build as plain data: the CLI prints it (BuildKit's displays) and the UI streams
 * it. `n` is the vertex number (`#n`); `position`/`total` are BuildKit's `[n/m]` of a step.
 * Config-only instructions (ENV, LABEL, CMD …) are no vertex: each reports itself once as
 * `config`, for the classic builder's stream, and its miss reason comes again, `carried`, under
 * the next vertex.
 */
export type BuildEvent =
  | { type: 'vertex'; n: number; name: string; stage?: string; position?: number; total?: number; line?: number; instruction?: InstructionIndex }
  | { type: 'config'; name: string; stage: string; line: number; instruction: InstructionIndex; cached: boolean; reason?: string }
  /** The step was served from the cache (no `done` follows). */
  | { type: 'cached'; n: number }
  /** `reason` is the CLI's English line; `cause` the same as data for the UI. */
  | { type: 'miss'; n: number; reason: string; cause: BuildMissReason; carried?: true }
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
