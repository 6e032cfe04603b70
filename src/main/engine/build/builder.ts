/**
 * The Dockerfile builder: parse → type → dispatch, with BuildKit's semantics (stages, ARG scoping,
 * expansion, config and history) and a parent-keyed, explainable layer cache.
 *
 * Decisions (documented here because they are visible to users):
 * - Like BuildKit, intermediate steps are not images and the result has no Parent: `history`
 *   shows the final ID on top, `<missing>` for the steps, and the base image's ID where its layers
 *   end (the history service matches stored images by layer chain).
 * - As in BuildKit, every RUN, COPY, ADD and WORKDIR (other than `/`) adds a layer, even when
 *   nothing changed: then it is the empty tar (diff ID sha256:5f70bf18…), as BuildKit's
 *   history shows `empty_layer: false` for `RUN ls`.
 * - History `created` of a step is the time it ran (SOURCE_DATE_EPOCH when set); a cache hit
 *   reuses the time stored with the hit, and the image's `created` is its newest history time,
 *   so a fully cached rebuild gives the same image ID.
 * - Layers the builder writes are deterministic (see copy.ts); RUN layers are what the process wrote.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Engine } from '../engine.ts';
import type { BuildMissCause, BuildMissReason, LayerFile } from '../api.ts';
import type { LayerInput } from '../image/image-service.ts';
import type { ContainerConfig, HistoryItem, ImageConfig } from '../image/oci.ts';
import { hostPlatform } from '../image/oci.ts';
import { writeImage } from '../image/image-writer.ts';
import { familiarString, formatReference, parseReference } from '../image/reference.ts';
import { digestOf, shortId } from '../store/digest.ts';
import { parse, DockerfileParseError } from './parser/index.ts';
import {
  createdBy, expandInstruction, expandStage, findStage, parseCommand, parseStages, progressName,
  resolveArgs, resolveMetaArgs, historyComment,
  type Command, type ResolvedArg, type Stage, type HistoryEntry, type CopyInstruction, type AddInstruction,
  type WorkdirInstruction, type RunInstruction,
} from './instructions/index.ts';
import { cleanSourcePath, contextTree, openContext, type BuildContext, type DigestCache, type SourceMeta, type SourceTree, matchSources, walkSource, followSource } from './context.ts';
import { planCopy, writeLayer, type LayerEntry, type WrittenLayer } from './copy.ts';
import { NEW_FILE } from './context-file.ts';
import { ImageView, comparePaths, stripSlashes } from './image-view.ts';
import { BuildCache, fileDigestCache, inputsKey, missCauseText, missReasonText, recordLayer, stepKey, type StepInputs } from './cache.ts';
import { BuildHistory, type BuildStepRecord } from './history-store.ts';
import { resolveOwner } from './users.ts';
import { runInSandbox, RunFailedError } from './run.ts';
import { applyConfigInstruction, isConfigInstruction, resolveWorkdir, validateConfigInstruction } from '../image/config-changes.ts';

export interface BuildOptions {
  /** The build context directory. */
  context: string;
  /** Dockerfile path (relative to the current directory); default CONTEXT/Dockerfile. */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
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

/** A build failure: the one-line reason, and where in the Dockerfile when known. */
export class BuildError extends Error {
  readonly line: number | undefined;
  readonly exitCode: number | undefined;
  constructor(message: string, line?: number, exitCode?: number) {
    super(message);
    this.name = 'BuildError';
    this.line = line;
    this.exitCode = exitCode;
  }
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The state of one stage as its instructions are dispatched. */
interface StageState {
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
  /** `#n` of the first step in this chain that missed the cache. */
  missN: number | undefined;
  /** History times of the steps this build added. */
  newTimes: string[];
  position: number;
  total: number;
}

interface BuildRun {
  engine: Engine;
  ctx: BuildContext;
  opts: BuildOptions;
  cache: BuildCache;
  history: BuildHistory;
  buildId: string;
  scratch: string;
  escapeToken: string;
  stages: Stage[];
  metaArgs: ResolvedArg[];
  metaEnv: Map<string, string>;
  buildArgs: Record<string, string>;
  usedArgs: Set<string>;
  states: Map<number, StageState>;
  n: number;
  epoch: number | undefined;
  multiStage: boolean;
  previousSteps: Map<string, string>;
  steps: BuildStepRecord[];
  digests: DigestCache;
  stepFailed?: boolean;
}

function emit(run: BuildRun, e: BuildEvent): void {
  run.opts.onEvent?.(e);
}

/** Runs a build to an image in the store. */
export async function build(engine: Engine, opts: BuildOptions): Promise<BuildResult> {
  let ctx: BuildContext;
  try {
    ctx = openContext(opts.context, opts.dockerfile);
  } catch (err) {
    throw new BuildError((err as Error).message);
  }
  const history = new BuildHistory(engine.db);
  const buildArgs = opts.buildArgs ?? {};
  const tags = (opts.tags ?? []).map((t) => formatReference(parseReference(t)));
  const buildId = history.start({
    context: ctx.dir, dockerfile: ctx.dockerfile, dockerfileText: ctx.dockerfileText, buildArgs,
    target: opts.target ?? '', tags, noCache: opts.noCache ?? false,
  });
  const scratch = join(engine.dir('build-tmp'), buildId);
  mkdirSync(scratch, { recursive: true });
  const run: BuildRun = {
    engine, ctx, opts, cache: new BuildCache(engine.db, engine.events), history, buildId, scratch, escapeToken: '\\', stages: [], metaArgs: [],
    metaEnv: new Map(), buildArgs, usedArgs: new Set(), states: new Map(), n: 0, epoch: sourceDateEpoch(), multiStage: false,
    previousSteps: previousInputs(engine, ctx), steps: [], digests: fileDigestCache(engine.db),
  };
  try {
    const imageId = await engine.gc.withLease(() => buildImage(run, tags));
    history.finish(buildId, 'success', { imageId });
    emit(run, { type: 'result', buildId, imageId, tags: tags.map((t) => familiarString(parseReference(t))) });
    return { buildId, imageId, tags, steps: run.steps };
  } catch (err) {
    const e = toBuildError(err);
    history.finish(buildId, opts.signal?.aborted ? 'cancelled' : 'failed', { error: e.message });
    // A failing step already reported itself (with its vertex number).
    if (!run.stepFailed) emit(run, { type: 'error', message: e.message, ...(e.line ? { line: e.line } : {}) });
    throw e;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function toBuildError(err: unknown): BuildError {
  if (err instanceof BuildError) return err;
  if (err instanceof DockerfileParseError) return new BuildError(err.message, err.startLine);
  return new BuildError((err as Error).message ?? String(err));
}

function sourceDateEpoch(): number | undefined {
  const v = process.env.SOURCE_DATE_EPOCH;
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

function nowIso(run: BuildRun): string {
  return new Date(run.epoch !== undefined ? run.epoch * 1000 : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Inputs keys of the last build of the same Dockerfile, by stage and position (for the advisor). */
function previousInputs(engine: Engine, ctx: BuildContext): Map<string, string> {
  const h = new BuildHistory(engine.db);
  const prev = h.list({ context: ctx.dir, dockerfile: ctx.dockerfile, limit: 2 }).find((b) => b.status !== 'running');
  const m = new Map<string, string>();
  if (!prev) return m;
  for (const s of h.steps(prev.id)) m.set(`${s.stage}#${s.position}`, s.inputsKey);
  return m;
}

async function buildImage(run: BuildRun, tags: string[]): Promise<string> {
  const n0 = ++run.n;
  emit(run, { type: 'vertex', n: n0, name: '[internal] load build definition from Dockerfile' });
  const parsed = parse(run.ctx.dockerfileText);
  run.escapeToken = parsed.escapeToken;
  const { stages, metaArgs } = parseStages(parsed.children);
  if (stages.length === 0) throw new BuildError('the Dockerfile (Dockerfile) cannot be empty');
  run.stages = stages;
  run.multiStage = stages.length > 1;
  emit(run, { type: 'done', n: n0, durationMs: 0 });
  const builtins = platformArgs();
  const meta = resolveMetaArgs(metaArgs, run.buildArgs, builtins, { escapeToken: run.escapeToken });
  for (const a of metaArgs.flatMap((m) => m.args)) run.usedArgs.add(a.key);
  run.metaArgs = [...meta.args, ...Object.entries(builtins).map(([key, value]) => ({ key, value, comment: '' }))];
  run.metaEnv = meta.env;
  let target = stages.length - 1;
  if (run.opts.target) {
    target = findStage(stages, run.opts.target);
    if (target < 0) throw new BuildError(`failed to solve: target stage "${run.opts.target}" could not be found`);
  }
  const state = await stageState(run, target);
  const unused = Object.keys(run.buildArgs).filter((k) => !run.usedArgs.has(k) && !(k in builtins) && !PREDEFINED_ARGS.has(k.toLowerCase()));
  if (unused.length > 0) emit(run, { type: 'warning', message: `One or more build-args [${unused.sort().join(' ')}] were not consumed` });
  return exportImage(run, state, tags);
}

const PREDEFINED_ARGS = new Set(['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy']);

function platformArgs(): Record<string, string> {
  const p = hostPlatform();
  const platform = `${p.os}/${p.architecture}`;
  return {
    BUILDPLATFORM: platform, BUILDOS: p.os, BUILDARCH: p.architecture, BUILDVARIANT: '',
    TARGETPLATFORM: platform, TARGETOS: p.os, TARGETARCH: p.architecture, TARGETVARIANT: '',
  };
}

/** Builds a stage (once) and the stages it needs; returns its final state. */
async function stageState(run: BuildRun, index: number, chain: number[] = []): Promise<StageState> {
  const done = run.states.get(index);
  if (done) return done;
  if (chain.includes(index)) throw new BuildError(`circular dependency detected on stage: ${run.stages[index]!.name || index}`);
  const stage = run.stages[index]!;
  const state = await fromStep(run, stage, index, [...chain, index]);
  for (const cmd of stage.commands) {
    if (run.opts.signal?.aborted) throw new BuildError('build cancelled');
    await dispatch(run, state, cmd, [...chain, index]);
  }
  run.states.set(index, state);
  return state;
}

function stageDisplay(run: BuildRun, stage: Stage, index: number): string {
  if (stage.name) return stage.name;
  return run.multiStage ? `stage-${index}` : '';
}

function stepName(state: { display: string; position: number; total: number }, text: string): string {
  const width = String(state.total).length;
  return `[${state.display ? `${state.display} ` : ''}${String(state.position).padStart(width)}/${state.total}] ${text}`;
}

/** FROM: a stage, `scratch`, or a local image by name or ID. ONBUILD triggers of the base run next. */
async function fromStep(run: BuildRun, stage: Stage, index: number, chain: number[]): Promise<StageState> {
  const { baseName } = expandStage(stage, run.metaEnv, { escapeToken: run.escapeToken });
  const display = stageDisplay(run, stage, index);
  const parentIndex = findStage(run.stages.slice(0, index), baseName);
  let state: StageState;
  if (parentIndex >= 0) {
    const parent = await stageState(run, parentIndex, chain);
    state = {
      ...parent, stage, index, display, config: structuredClone(parent.config), layers: [...parent.layers],
      private: { pending: parent.layers.map((l) => ({ diffId: l.diffId, files: undefined })) },
      env: [...parent.config.config?.Env ?? []], buildArgs: [], newTimes: [...parent.newTimes], position: 1, total: 0,
    };
  } else {
    state = baseState(run, stage, index, display, baseName);
  }
  const triggers = state.config.config?.OnBuild ?? [];
  const triggerCmds = triggers.map((t) => parseTrigger(t, stage));
  if (state.config.config) delete state.config.config.OnBuild;
  state.total = stage.commands.length + 1 + triggerCmds.length;
  const n = ++run.n;
  const fromText = parentIndex >= 0 ? `FROM ${baseName}` : baseName === 'scratch' ? 'FROM scratch' : `FROM ${formatReference(parseReference(baseName))}`;
  emit(run, { type: 'vertex', n, name: stepName(state, fromText), stage: display, position: 1, total: state.total, line: stage.location.startLine });
  const before = run.previousSteps.get(`${display}#1`);
  if (before !== undefined && before !== state.key && !run.opts.noCache) {
    // The base (an image re-pulled or re-tagged, or a changed parent stage) is not what the last
    // build of this Dockerfile used: every step below will miss because of it.
    const cause: BuildMissReason = { code: 'base-image-changed', instruction: 'FROM' };
    const reason = missCauseText(cause);
    emit(run, { type: 'miss', n, reason: missReasonText(cause), cause });
    emit(run, { type: 'done', n, durationMs: 0 });
    state.missN = n;
    recordStep(run, state, n, fromText, stage.location.startLine, { cacheKey: state.key, inputsKey: state.key, status: 'done', cached: false, reason, durationMs: 0, size: 0, diffId: null, selfChanged: true });
  } else {
    emit(run, { type: 'cached', n });
    recordStep(run, state, n, fromText, stage.location.startLine, { cacheKey: state.key, inputsKey: state.key, status: 'cached', cached: true, reason: '', durationMs: 0, size: 0, diffId: null });
  }
  for (const cmd of triggerCmds) await dispatch(run, state, cmd, chain, true);
  return state;
}

function parseTrigger(trigger: string, stage: Stage): Command {
  try {
    const p = parse(trigger);
    if (p.children.length !== 1) throw new Error('onbuild trigger should be a single expression');
    const cmd = parseCommand(p.children[0]!);
    return { ...cmd, location: stage.location } as Command;
  } catch (err) {
    throw new BuildError(`failed to process ONBUILD trigger "${trigger}": ${(err as Error).message}`, stage.location.startLine);
  }
}

function baseState(run: BuildRun, stage: Stage, index: number, display: string, baseName: string): StageState {
  const platform = hostPlatform();
  if (baseName === 'scratch') {
    const config: ImageConfig = {
      architecture: platform.architecture, os: platform.os,
      config: { Env: [DEFAULT_PATH], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [] }, history: [],
    };
    return newState(stage, index, display, config, [], '', stepKey('', { instruction: `FROM scratch ${platform.os}/${platform.architecture}`, source: '', args: {} }));
  }
  const imageId = run.engine.images.tryResolve(baseName);
  if (!imageId) {
    let ref = baseName;
    try {
      ref = formatReference(parseReference(baseName));
    } catch {
      /* keep as written */
    }
    throw new BuildError(`failed to solve: ${baseName}: failed to resolve source metadata for ${ref}: not found in the local store (pull or load it first)`, stage.location.startLine);
  }
  const base = run.engine.images.readConfig(imageId);
  const layers = run.engine.images.layers(imageId).map((l): LayerInput => ({
    blobDigest: l.blobDigest, blobSize: l.blobSize, mediaType: l.mediaType, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize,
  }));
  const config: ImageConfig = {
    architecture: base.architecture, os: base.os, ...(base.variant ? { variant: base.variant } : {}),
    ...(base['os.version'] ? { 'os.version': base['os.version'] } : {}),
    ...(base.author ? { author: base.author } : {}),
    config: structuredClone(base.config ?? {}),
    rootfs: { type: 'layers', diff_ids: [] },
    history: structuredClone(base.history ?? []),
    ...(base.created ? { created: base.created } : {}),
  };
  if (!config.config!.Env || config.config!.Env.length === 0) config.config!.Env = [DEFAULT_PATH];
  return newState(stage, index, display, config, layers, imageId, stepKey('', { instruction: `FROM ${imageId}`, source: '', args: {} }));
}

function newState(stage: Stage, index: number, display: string, config: ImageConfig, layers: LayerInput[], baseImageId: string, key: string): StageState {
  return {
    stage, index, display, config, layers, private: { pending: layers.map((l) => ({ diffId: l.diffId, files: undefined })) }, key,
    env: [...(config.config?.Env ?? [])], buildArgs: [], baseImageId, missN: undefined, newTimes: [], position: 1, total: 0,
  };
}

/** The merged filesystem view of a state, brought up to date with the layers added since. */
function viewOf(run: BuildRun, state: StageState): ImageView {
  if (!state.private.view) {
    state.private.view = ImageView.of(run.engine, []);
  }
  for (const p of state.private.pending.splice(0)) state.private.view.apply(p.diffId, p.files ?? run.engine.images.layerFiles(p.diffId));
  return state.private.view;
}

function addLayer(state: StageState, layer: LayerInput, files?: LayerFile[]): void {
  state.layers.push(layer);
  state.private.pending.push({ diffId: layer.diffId, files });
}

function setEnv(list: string[], key: string, value: string): string[] {
  const i = list.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  const entry = `${key}=${value}`;
  if (i >= 0) list[i] = entry;
  else list.push(entry);
  return list;
}

function scopeArgs(state: StageState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of state.buildArgs) out[a.key] = envValue(state.env, a.key) ?? a.value ?? '';
  return out;
}

function envValue(list: readonly string[], key: string): string | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i]!;
    const eq = e.indexOf('=');
    if ((eq < 0 ? e : e.slice(0, eq)) === key) return eq < 0 ? '' : e.slice(eq + 1);
  }
  return undefined;
}

interface StepOutcome {
  layer?: WrittenLayer | LayerInput | undefined;
  files?: LayerFile[] | undefined;
}

interface Prepared {
  /** The expanded instruction. */
  cmd: Command;
  entry: HistoryEntry | null;
  inputs: StepInputs;
  /** Applies the step's config changes (always run, hit or miss). */
  apply: () => void;
  /** Produces the step's layer on a miss (absent for config-only steps). */
  execute?: () => Promise<StepOutcome>;
}

/** Dispatches one instruction through the cache. */
async function dispatch(run: BuildRun, state: StageState, raw: Command, chain: number[], onbuild = false): Promise<void> {
  state.position++;
  const n = ++run.n;
  const line = raw.location.startLine;
  let prepared: Prepared;
  try {
    const nameText = displayName(raw, state.env, run.escapeToken);
    emit(run, { type: 'vertex', n, name: stepName(state, `${onbuild ? 'ONBUILD ' : ''}${nameText}`), stage: state.display, position: state.position, total: state.total, line });
    prepared = await prepare(run, state, raw, chain);
  } catch (err) {
    throw located(err, line);
  }
  const started = performance.now();
  const parentKey = state.key;
  const key = stepKey(parentKey, prepared.inputs);
  const ownKey = inputsKey(prepared.inputs);
  const prevOwn = run.previousSteps.get(`${state.display}#${state.position}`);
  const selfChanged = prevOwn !== undefined && prevOwn !== ownKey;
  const hit = run.opts.noCache ? undefined : run.cache.get(key);
  const instruction = prepared.entry?.createdBy.replace(/ # buildkit$/, '') ?? raw.code;
  if (hit) {
    emit(run, { type: 'cached', n });
    run.cache.touch(key);
    if (hit.diffId) addLayer(state, run.cache.layerInput(hit.diffId));
    prepared.apply();
    if (prepared.entry) pushHistory(state, prepared.entry, hit.historyCreated, hit.diffId === null && !prepared.entry.emptyLayer ? true : undefined);
    state.key = key;
    recordStep(run, state, n, instruction, line, { cacheKey: key, inputsKey: ownKey, status: 'cached', cached: true, reason: '', durationMs: 0, size: hit.size, diffId: hit.diffId, selfChanged });
    return;
  }
  const why: BuildMissCause = run.opts.noCache
    ? { code: 'no-cache' }
    : state.missN !== undefined
      ? { code: 'parent-missed', step: state.missN }
      : run.cache.explainMissCause(parentKey, raw.kind, prepared.inputs);
  const what = raw.kind === 'copy' || raw.kind === 'add' ? displayName(raw, state.env, run.escapeToken) : raw.kind.toUpperCase();
  const cause: BuildMissReason = { ...why, instruction: what };
  const reason = missCauseText(why);
  emit(run, { type: 'miss', n, reason: missReasonText(cause), cause });
  state.missN ??= n;
  let outcome: StepOutcome = {};
  try {
    if (prepared.execute) outcome = await prepared.execute();
  } catch (err) {
    run.stepFailed = true;
    emit(run, { type: 'error', n, message: (err as Error).message, line });
    recordStep(run, state, n, instruction, line, { cacheKey: key, inputsKey: ownKey, status: 'failed', cached: false, reason, durationMs: performance.now() - started, size: 0, diffId: null, selfChanged });
    throw located(err, line);
  }
  const created = nowIso(run);
  if (outcome.layer) {
    recordLayer(run.engine.db, { ...outcome.layer, ...(outcome.files ? { files: outcome.files } : {}) });
    addLayer(state, outcome.layer, outcome.files);
  }
  prepared.apply();
  const noLayer = !outcome.layer && prepared.entry !== null && !prepared.entry.emptyLayer;
  if (prepared.entry) pushHistory(state, prepared.entry, created, noLayer ? true : undefined);
  const durationMs = performance.now() - started;
  run.cache.put({
    key, parentKey, kind: raw.kind, description: prepared.entry?.createdBy ?? raw.code, diffId: outcome.layer?.diffId ?? null,
    historyCreated: created, inputs: prepared.inputs, size: outcome.layer?.diffSize ?? 0, durationMs: Math.round(durationMs),
  });
  state.key = key;
  emit(run, { type: 'done', n, durationMs });
  recordStep(run, state, n, instruction, line, {
    cacheKey: key, inputsKey: ownKey, status: 'done', cached: false, reason, durationMs, size: outcome.layer?.diffSize ?? 0,
    diffId: outcome.layer?.diffId ?? null, selfChanged,
  });
}

/** The step name shown in progress: expanded where BuildKit expands, as written elsewhere. */
function displayName(cmd: Command, env: string[], escapeToken: string): string {
  if (['cmd', 'entrypoint', 'shell', 'healthcheck', 'onbuild', 'maintainer'].includes(cmd.kind) || (cmd.kind === 'run' && !cmd.prependShell)) {
    const space = cmd.code.indexOf(' ');
    return space < 0 ? cmd.code.toUpperCase() : cmd.code.slice(0, space).toUpperCase() + cmd.code.slice(space);
  }
  return progressName(cmd, env, escapeToken);
}

function located(err: unknown, line: number): BuildError {
  if (err instanceof BuildError) return err.line ? err : new BuildError(err.message, line, err.exitCode);
  if (err instanceof RunFailedError) return new BuildError(err.message, line, err.exitCode);
  if (err instanceof DockerfileParseError) return new BuildError(err.message, err.startLine);
  return new BuildError((err as Error).message ?? String(err), line);
}

function pushHistory(state: StageState, entry: HistoryEntry, created: string, forceEmpty?: boolean): void {
  const item: HistoryItem = { created, created_by: entry.createdBy, comment: entry.comment || historyComment };
  if (entry.emptyLayer || forceEmpty) item.empty_layer = true;
  (state.config.history ??= []).push(item);
  state.newTimes.push(created);
}

function recordStep(
  run: BuildRun, state: StageState, n: number, instruction: string, line: number,
  s: Omit<BuildStepRecord, 'n' | 'stage' | 'position' | 'total' | 'instruction' | 'line' | 'selfChanged'> & { selfChanged?: boolean },
): void {
  const rec: BuildStepRecord = {
    n, stage: state.display, position: state.position, total: state.total, instruction, line, selfChanged: s.selfChanged ?? false, ...s,
  };
  run.steps.push(rec);
  run.history.step(run.buildId, rec);
}

function cfg(state: StageState): ContainerConfig {
  return (state.config.config ??= {});
}

/** Expands the instruction, computes its history entry and inputs, and binds its effects. */
async function prepare(run: BuildRun, state: StageState, raw: Command, chain: number[]): Promise<Prepared> {
  const escape = { escapeToken: run.escapeToken };
  const scope = scopeArgs(state);
  const base = (cmd: Command, entry: HistoryEntry | null, apply: () => void): Prepared => ({
    cmd, entry, apply, inputs: { instruction: entry?.createdBy ?? `ONBUILD ${(cmd as { expression?: string }).expression ?? cmd.code}`, source: raw.code, args: {}, scope },
  });
  const hctx = () => ({ shell: cfg(state).Shell ?? [], buildArgs: state.buildArgs, env: state.env, workingDir: cfg(state).WorkingDir || '/' });
  if (raw.kind === 'arg') {
    const resolved = resolveArgs(raw, { buildArgs: run.buildArgs, metaArgs: run.metaArgs, env: state.env }, escape);
    for (const a of raw.args) run.usedArgs.add(a.key);
    const cmd = { ...raw, args: resolved };
    const p = base(cmd, createdBy(cmd, hctx()), () => {
      for (const a of resolved) {
        // ENV wins over an ARG of the same name.
        if (a.value !== undefined && envValue(cfg(state).Env ?? [], a.key) === undefined) setEnv(state.env, a.key, a.value);
        state.buildArgs.push(a);
      }
    });
    // The values this ARG declares, so a miss can name the --build-arg that changed.
    p.inputs.scope = { ...scope, ...Object.fromEntries(resolved.map((a) => [a.key, a.value ?? ''])) };
    return p;
  }
  const cmd = expandInstruction(raw, state.env, escape);
  const entry = createdBy(cmd, hctx());
  if (cmd.kind === 'maintainer') {
    return base(cmd, entry, () => {
      state.config.author = cmd.maintainer;
    });
  }
  if (isConfigInstruction(cmd) && cmd.kind !== 'workdir') {
    validateConfigInstruction(cmd);
    return base(cmd, cmd.kind === 'onbuild' ? null : entry, () => {
      applyConfigInstruction(cfg(state), cmd, state.private);
      // ENV also changes what later RUNs and expansions in this stage see.
      if (cmd.kind === 'env') for (const kv of cmd.env) setEnv(state.env, kv.key, kv.value);
    });
  }
  switch (cmd.kind) {
    case 'workdir':
      return workdirStep(run, state, cmd, entry!, base);
    case 'copy':
    case 'add':
      return copyStep(run, state, cmd, entry!, scope, chain);
    case 'run':
      return runStep(run, state, cmd, entry!, scope);
  }
}

function workdirStep(run: BuildRun, state: StageState, cmd: WorkdirInstruction, entry: HistoryEntry, base: (c: Command, e: HistoryEntry | null, a: () => void) => Prepared): Prepared {
  const wd = resolveWorkdir(cfg(state), cmd.path);
  const p = base(cmd, entry, () => {
    applyConfigInstruction(cfg(state), cmd, state.private);
  });
  if (wd === '/') return p;
  // The user matters for the cache: the directory is created owned by USER.
  p.inputs.args = { USER: cfg(state).User ?? '' };
  p.execute = async () => {
    const view = viewOf(run, state);
    const target = stripSlashes(view.resolve(wd));
    if (view.get(target)?.type === 'dir') {
      const empty = await writeLayer(run.engine, []);
      return { layer: empty, files: empty.files };
    }
    const owner = cfg(state).User ? await resolveOwner(run.engine, view, cfg(state).User!, run.scratch) : { uid: 0, gid: 0 };
    const epoch = run.epoch ?? 0;
    const entries = new Map<string, LayerEntry>();
    for (let p2 = target; p2 !== '.' && p2 !== ''; p2 = p2.includes('/') ? p2.slice(0, p2.lastIndexOf('/')) : '') {
      const existing = view.get(p2);
      entries.set(p2, existing?.type === 'dir'
        ? { path: p2, type: 'dir', mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid, mtime: existing.mtime, linkTarget: '' }
        : { path: p2, type: 'dir', mode: 0o755, uid: owner.uid, gid: owner.gid, mtime: epoch, linkTarget: '' });
    }
    const layer = await writeLayer(run.engine, [...entries.values()].sort((a, b) => comparePaths(a.path, b.path)));
    return { layer, files: layer.files };
  };
  return p;
}

async function copyStep(run: BuildRun, state: StageState, cmd: CopyInstruction | AddInstruction, entry: HistoryEntry, scope: Record<string, string>, chain: number[]): Promise<Prepared> {
  if (cmd.kind === 'copy' && cmd.parents) throw new Error('COPY --parents is not supported yet');
  if (cmd.excludePatterns.length > 0) throw new Error(`${cmd.kind.toUpperCase()} --exclude is not supported yet`);
  if (cmd.kind === 'add' && cmd.checksum) throw new Error('ADD --checksum is not supported yet');
  const view = viewOf(run, state);
  let tree: SourceTree = contextTree(run.ctx);
  let from: string | undefined;
  let sources = cmd.sourcePaths;
  if (cmd.sourceContents.length > 0) {
    // Heredoc sources (`COPY <<EOF /file`) become files of mode 0644, as BuildKit's Mkfile.
    tree = heredocTree(join(run.scratch, `heredoc-${run.n}`), cmd.sourceContents);
    sources = cmd.sourceContents.map((c) => cleanSourcePath(c.path));
  } else if (cmd.kind === 'copy' && cmd.from) {
    const src = await sourceFromStage(run, cmd.from, cmd.sourcePaths, chain);
    tree = src.tree;
    from = src.from;
  }
  const stepScratch = join(run.scratch, `step-${run.n}`);
  mkdirSync(stepScratch, { recursive: true });
  const chown = cmd.chown ? await resolveOwner(run.engine, view, cmd.chown, run.scratch) : undefined;
  const chmod = parseChmod(cmd.chmod);
  const plan = await planCopy({
    isAdd: cmd.kind === 'add' && cmd.sourceContents.length === 0, sources, dest: cmd.destPath, workdir: cfg(state).WorkingDir || '/', tree,
    scratchDir: stepScratch, view, chown, chmod, epoch: run.epoch ?? 0, signal: run.opts.signal, digests: run.digests,
  });
  const inputs: StepInputs = {
    instruction: entry.createdBy, source: cmd.code, args: {}, scope, checksum: plan.checksum, files: plan.files,
    ...(from ? { from } : {}),
    // Resolved ownership is an input: the same --chown name can map to another ID in another base.
    ...(chown ? { owner: `${chown.uid}:${chown.gid}` } : {}),
  } as StepInputs;
  if (chown) inputs.args = { CHOWN: `${chown.uid}:${chown.gid}` };
  return {
    cmd, entry, inputs, apply: () => {},
    execute: async () => {
      const layer = await writeLayer(run.engine, plan.entries);
      return { layer, files: layer.files };
    },
  };
}

/**
 * Heredoc sources (`COPY <<EOF /file`) become files of mode 0644, as BuildKit's Mkfile. The name
 * comes from the Dockerfile: cleaned against `/` (as Mkfile's path is), so `<<../../x` is `x` in
 * the scratch folder and never a path on the host.
 */
function heredocTree(dir: string, contents: readonly { path: string; data: string }[]): SourceTree {
  mkdirSync(dir, { recursive: true });
  const meta = new Map<string, SourceMeta>();
  for (const c of contents) {
    const name = cleanSourcePath(c.path);
    if (name === '.') throw new Error(`invalid heredoc name: ${JSON.stringify(c.path)}`);
    for (let p = posix.dirname(name); p !== '.' && !meta.has(p); p = posix.dirname(p)) {
      meta.set(p, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: '' });
    }
    mkdirSync(join(dir, posix.dirname(name)), { recursive: true });
    rmSync(join(dir, name), { force: true });
    const fd = openSync(join(dir, name), NEW_FILE, 0o644);
    try {
      writeFileSync(fd, c.data);
    } finally {
      closeSync(fd);
    }
    meta.set(name, { type: 'file', mode: 0o644, uid: 0, gid: 0, size: Buffer.byteLength(c.data), linkTarget: '' });
  }
  return { root: dir, meta, label: 'heredoc' };
}

function parseChmod(chmod: string): number | undefined {
  if (!chmod) return undefined;
  if (!/^[0-7]+$/.test(chmod) || Number.parseInt(chmod, 8) > 0o7777) {
    throw new Error(`invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
  }
  return Number.parseInt(chmod, 8);
}

/** `COPY --from`: a stage (name or index) or a local image; the named files are extracted to scratch. */
async function sourceFromStage(run: BuildRun, from: string, sources: string[], chain: number[]): Promise<{ tree: SourceTree; from: string }> {
  let view: ImageView;
  let label: string;
  let idx = findStage(run.stages, from);
  if (idx < 0 && /^\d+$/.test(from) && Number(from) < run.stages.length) idx = Number(from);
  if (idx >= 0) {
    if (chain.includes(idx)) throw new Error(`circular dependency detected on stage: ${from}`);
    const st = await stageState(run, idx, chain);
    view = viewOf(run, st);
    label = `stage ${from}`;
  } else {
    const id = run.engine.images.tryResolve(from);
    if (!id) throw new Error(`failed to resolve source metadata for ${from}: not found in the local store (pull or load it first)`);
    view = ImageView.of(run.engine, run.engine.images.layers(id).map((l) => l.diffId));
    label = id;
  }
  const meta = new Map<string, SourceMeta>();
  for (const e of view.subtree('')) {
    // A hardlink is planned as a file; extraction says what it really is (a copy of its target).
    const type = e.type === 'hardlink' ? 'file' : e.type === 'whiteout' || e.type === 'opaque' ? undefined : e.type;
    if (!type) continue;
    meta.set(e.path, { type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, linkTarget: e.type === 'symlink' ? e.linkTarget : '' });
  }
  const root = join(run.scratch, `from-${run.n}`);
  mkdirSync(root, { recursive: true });
  const probe: SourceTree = { root, meta, label };
  const wanted = new Set<string>();
  for (const s of sources) {
    for (const rel of matchSources(probe, s)) {
      for (const w of walkSource(probe, followSource(probe, rel))) wanted.add(w.treePath);
    }
  }
  const entries = [...wanted].map((p) => view.get(p)).filter((e): e is NonNullable<typeof e> => e !== undefined);
  // What was extracted: file types as stored (devices with their numbers, hardlinks resolved).
  for (const [path, m] of await view.extract(run.engine, entries, root)) meta.set(path, m);
  return { tree: probe, from: label };
}

async function runStep(run: BuildRun, state: StageState, cmd: RunInstruction, entry: HistoryEntry, scope: Record<string, string>): Promise<Prepared> {
  return {
    cmd, entry, apply: () => {},
    inputs: { instruction: entry.createdBy, source: cmd.code, args: scope, scope },
    execute: async () => {
      const n = run.n;
      const layer = await runInSandbox(run.engine, {
        layers: state.layers, cmd, shell: cfg(state).Shell?.length ? cfg(state).Shell! : ['/bin/sh', '-c'],
        env: withDefaultPath(state.env), cwd: cfg(state).WorkingDir || '/', user: cfg(state).User ?? '', scratch: run.scratch,
        signal: run.opts.signal, ...(run.opts.network ? { network: run.opts.network } : {}),
        allowHostNetwork: run.opts.allow?.includes('network.host') ?? false,
        onOutput: (stream, text) => emit(run, { type: 'log', n, stream, text }),
      });
      return layer ? { layer, files: layer.files } : {};
    },
  };
}

function withDefaultPath(env: string[]): string[] {
  return envValue(env, 'PATH') === undefined ? [DEFAULT_PATH, ...env] : [...env];
}

/** Writes the final image: config with history, layers and tags. */
async function exportImage(run: BuildRun, state: StageState, tags: string[]): Promise<string> {
  const n = ++run.n;
  emit(run, { type: 'vertex', n, name: 'exporting to image' });
  const started = performance.now();
  const config = structuredClone(state.config);
  const times = state.newTimes.filter(Boolean).sort();
  config.created = times.at(-1) ?? config.created ?? nowIso(run);
  if (config.config?.OnBuild?.length === 0) delete config.config.OnBuild;
  emit(run, { type: 'status', n, text: 'exporting layers done' });
  const img = await writeOrReuse(run, config, state.layers, tags);
  emit(run, { type: 'status', n, text: `writing image ${img.id} done` });
  for (const t of tags) emit(run, { type: 'status', n, text: `naming to ${t} done` });
  emit(run, { type: 'done', n, durationMs: performance.now() - started });
  return img.id;
}

/**
 * A fully cached build yields the config of an image already stored: then only its tags are
 * set, which spares re-writing (and fsyncing) the config and manifest blobs.
 */
async function writeOrReuse(run: BuildRun, config: ImageConfig, layers: LayerInput[], tags: string[]): Promise<{ id: string }> {
  const full: ImageConfig = { ...config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
  const id = digestOf(JSON.stringify(full));
  if (run.engine.images.get(id) && run.engine.content.has(id)) {
    for (const t of tags) run.engine.images.tag(id, t);
    return { id };
  }
  return writeImage(run.engine.content, run.engine.images, { config, layers, tags });
}

export { shortId };
