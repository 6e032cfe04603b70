/**
 * The build's data, shared by the dispatcher and the per-instruction converters: the immutable
 * options, the progress, each stage's state, and the small helpers over them.
 */
import type { Stores } from '../../stores.ts';
import type { LayerFile } from '../../api.ts';
import type { LayerInput } from '../../image/image-service.ts';
import type { ContainerConfig, HistoryItem, ImageConfig } from '../../image/oci.ts';
import { historyComment, type Command, type HistoryEntry, type ResolvedArg, type Stage } from '../instructions/index.ts';
import type { BuildContext, DigestCache } from '../context.ts';
import type { WrittenLayer } from '../copy.ts';
import { ImageView } from '../image-view.ts';
import type { BuildCache, StepInputs } from '../cache.ts';
import type { BuildHistory, BuildStepRecord } from '../history-store.ts';
import type { BuildEvent, BuildOptions } from '../build-types.ts';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The state of one stage as its instructions are dispatched. */
export interface StageState {
  stage: Stage;
  index: number;
  /** Shown in progress lines: the stage name, `stage-N` in multi-stage builds, '' otherwise. */
  display: string;
  config: ImageConfig;
  layers: LayerInput[];
  private: { view?: ImageView; pending: { diffId: string; files: LayerFile[] | undefined }[]; cmdSet?: boolean };
  key: string;
  /** Env as RUN and expansion see it: the image Env plus ARG values. */
  env: string[];
  buildArgs: ResolvedArg[];
  baseImageId: string;
  /** The first step in this chain that missed the cache, as shown: `[2/5]`, or `LABEL (line 4)` for a config step. */
  missStep: string | undefined;
  /** History times of the steps this build added. */
  newTimes: string[];
  /** Instruction index in the stage (FROM is 1): keys the build records and the advisor. */
  position: number;
  total: number;
  /** BuildKit's `[n/m]`: only FROM, RUN, COPY, ADD and WORKDIR count. */
  stepNo: number;
  stepCount: number;
}

/** The instructions BuildKit shows as steps with an `[n/m]` number; the others only change the config. */
export const LAYER_STEPS: ReadonlySet<string> = new Set(['from', 'run', 'copy', 'add', 'workdir']);

/** A base image as `load metadata for …` resolved it (pulled when missing, or always with --pull). */
export interface ResolvedBase {
  imageId: string;
  /** The FROM step's name: `docker.io/library/busybox:latest@sha256:…` (the digest when the store knows it). */
  name: string;
  /**
   * What pulling it fetched, as BuildKit's statuses under the FROM step (`resolve …`, `sha256:…
   * 2.10MB / 2.10MB`, `extracting sha256:…`); shown once, by the first stage that uses it.
   */
  pulled?: string[];
}

/**
 * Fixed for the whole build once the Dockerfile is parsed (BuildKit's dispatchOpt): what was
 * asked and the stores used. Nothing here changes while instructions are dispatched.
 */
export interface DispatchOptions {
  readonly engine: Stores;
  readonly ctx: BuildContext;
  readonly opts: BuildOptions;
  readonly cache: BuildCache;
  readonly history: BuildHistory;
  readonly buildId: string;
  readonly scratch: string;
  readonly escapeToken: string;
  readonly stages: Stage[];
  readonly metaArgs: ResolvedArg[];
  readonly metaEnv: Map<string, string>;
  readonly buildArgs: Record<string, string>;
  readonly epoch: number | undefined;
  readonly multiStage: boolean;
  /** Inputs keys of the last build of this Dockerfile, by `stage#position` (miss reasons, the advisor). */
  readonly previousSteps: Map<string, string>;
  readonly digests: DigestCache;
  /** Base images by the name FROM (or COPY --from) gives, resolved before the stages run. */
  readonly bases: Map<string, ResolvedBase>;
  /** Build time in seconds (SOURCE_DATE_EPOCH when set): the mtime of directories COPY and WORKDIR write. */
  readonly now: number;
  /** Builds stage `index` once (COPY --from needs it); handed in so the converters need not import the stage walker. */
  readonly buildStage: (index: number, chain: number[]) => Promise<StageState>;
}

/** What changes as the build runs: vertex numbers, the stages done, the steps recorded. */
export interface BuildProgress {
  n: number;
  readonly usedArgs: Set<string>;
  readonly states: Map<number, StageState>;
  readonly steps: BuildStepRecord[];
  stepFailed: boolean;
  /** `[internal] load build context` was shown. */
  contextLoaded: boolean;
  /** Miss reasons of config steps (no vertex of their own), shown under the next vertex. */
  readonly pendingMisses: Extract<BuildEvent, { type: 'miss' }>[];
}

/** One build: its fixed options apart from its progress (BuildKit keeps dispatchOpt apart from dispatchState). */
export interface BuildRun {
  readonly opt: DispatchOptions;
  readonly progress: BuildProgress;
}

export interface StepOutcome {
  layer?: WrittenLayer | LayerInput | undefined;
  files?: LayerFile[] | undefined;
}

export interface Prepared {
  /** The expanded instruction. */
  cmd: Command;
  entry: HistoryEntry | null;
  inputs: StepInputs;
  /** Applies the step's config changes (always run, hit or miss). */
  apply: () => void;
  /** Produces the step's layer on a miss (absent for config-only steps). */
  execute?: () => Promise<StepOutcome>;
}

export function emit(run: BuildRun, e: BuildEvent): void {
  run.opt.opts.onEvent?.(e);
}

/** Opens the next vertex (`#n name`); miss reasons of config steps before it are shown under it. */
export function openVertex(run: BuildRun, v: Omit<Extract<BuildEvent, { type: 'vertex' }>, 'type' | 'n'>): number {
  const n = ++run.progress.n;
  emit(run, { type: 'vertex', n, ...v });
  for (const m of run.progress.pendingMisses.splice(0)) emit(run, { ...m, n });
  return n;
}

export function nowIso(run: BuildRun): string {
  return new Date(run.opt.epoch !== undefined ? run.opt.epoch * 1000 : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `[ 2/10] text`, `[build 1/3] text`: BuildKit pads the step number to the width of the count. */
export function stepLabel(state: { display: string; stepNo: number; stepCount: number }): string {
  const width = String(state.stepCount).length;
  return `[${state.display ? `${state.display} ` : ''}${String(state.stepNo).padStart(width)}/${state.stepCount}]`;
}

export function stepName(state: { display: string; stepNo: number; stepCount: number }, text: string): string {
  return `${stepLabel(state)} ${text}`;
}

/** The merged filesystem view of a state, brought up to date with the layers added since. */
export function viewOf(run: BuildRun, state: StageState): ImageView {
  if (!state.private.view) {
    state.private.view = ImageView.lazy(run.opt.engine);
  }
  for (const p of state.private.pending.splice(0)) state.private.view.apply(p.diffId, p.files);
  return state.private.view;
}

export function addLayer(state: StageState, layer: LayerInput, files?: LayerFile[]): void {
  state.layers.push(layer);
  state.private.pending.push({ diffId: layer.diffId, files });
}

export function setEnv(list: string[], key: string, value: string): string[] {
  const i = list.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  const entry = `${key}=${value}`;
  if (i >= 0) list[i] = entry;
  else list.push(entry);
  return list;
}

export function scopeArgs(state: StageState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of state.buildArgs) out[a.key] = envValue(state.env, a.key) ?? a.value ?? '';
  return out;
}

export function envValue(list: readonly string[], key: string): string | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i]!;
    const eq = e.indexOf('=');
    if ((eq < 0 ? e : e.slice(0, eq)) === key) return eq < 0 ? '' : e.slice(eq + 1);
  }
  return undefined;
}

export function pushHistory(state: StageState, entry: HistoryEntry, created: string, forceEmpty?: boolean): void {
  const item: HistoryItem = { created, created_by: entry.createdBy, comment: entry.comment || historyComment };
  if (entry.emptyLayer || forceEmpty) item.empty_layer = true;
  (state.config.history ??= []).push(item);
  state.newTimes.push(created);
}

export function recordStep(
  run: BuildRun, state: StageState, n: number, instruction: string, line: number,
  s: Omit<BuildStepRecord, 'n' | 'stage' | 'position' | 'total' | 'instruction' | 'line' | 'selfChanged'> & { selfChanged?: boolean },
): void {
  const rec: BuildStepRecord = {
    n, stage: state.display, position: state.position, total: state.total, instruction, line, selfChanged: s.selfChanged ?? false, ...s,
  };
  run.progress.steps.push(rec);
  run.opt.history.step(run.opt.buildId, rec);
}

export function cfg(state: StageState): ContainerConfig {
  return (state.config.config ??= {});
}

export function withDefaultPath(env: string[]): string[] {
  return envValue(env, 'PATH') === undefined ? [DEFAULT_PATH, ...env] : [...env];
}
