/**
 * Stages: FROM (a stage, scratch or a local image, then the base's ONBUILD triggers) and the
 * walk that builds a stage once, with the stages it needs first.
 */
import type { BuildMissReason } from '../../api.ts';
import type { LayerInput } from '../../image/image-service.ts';
import { hostPlatform, type ImageConfig } from '../../image/oci.ts';
import { parse } from '../parser/index.ts';
import { expandStage, findStage, parseCommand, type Command, type Stage } from '../instructions/index.ts';
import { missCauseText, missReasonText, stepKey } from '../cache.ts';
import { BuildError } from '../build-error.ts';
import { StrataError } from '../../../../shared/errors.ts';
import { DEFAULT_PATH, LAYER_STEPS, emit, openVertex, recordStep, stepLabel, stepName, type BuildRun, type StageState } from './state.ts';
import { dispatch } from './convert.ts';
import { loadBuildContext, normalizedName } from './sources.ts';

/** Builds a stage (once) and the stages it needs; returns its final state. */
export async function stageState(run: BuildRun, index: number, chain: number[] = []): Promise<StageState> {
  const done = run.progress.states.get(index);
  if (done) return done;
  if (chain.includes(index)) throw new BuildError(`circular dependency detected on stage: ${run.opt.stages[index]!.name || index}`);
  const stage = run.opt.stages[index]!;
  const state = await fromStep(run, stage, index, [...chain, index]);
  for (const cmd of stage.commands) {
    if (run.opt.opts.signal?.aborted) throw new BuildError('build cancelled');
    await dispatch(run, state, cmd, [...chain, index]);
  }
  run.progress.states.set(index, state);
  return state;
}

export function stageDisplay(run: BuildRun, stage: Stage, index: number): string {
  if (stage.name) return stage.name;
  return run.opt.multiStage ? `stage-${index}` : '';
}

/** FROM: a stage, `scratch`, or a base image resolved by `load metadata`. ONBUILD triggers of the base run next. */
export async function fromStep(run: BuildRun, stage: Stage, index: number, chain: number[]): Promise<StageState> {
  const { baseName } = expandStage(stage, run.opt.metaEnv, { escapeToken: run.opt.escapeToken });
  const display = stageDisplay(run, stage, index);
  const parentIndex = findStage(run.opt.stages.slice(0, index), baseName);
  let state: StageState;
  if (parentIndex >= 0) {
    const parent = await stageState(run, parentIndex, chain);
    state = {
      ...parent, stage, index, display, config: structuredClone(parent.config), layers: [...parent.layers],
      private: { pending: parent.layers.map((l) => ({ diffId: l.diffId, files: undefined })) },
      env: [...parent.config.config?.Env ?? []], buildArgs: [], newTimes: [...parent.newTimes], position: 1, total: 0, stepNo: 1, stepCount: 0,
    };
  } else {
    state = baseState(run, stage, index, display, baseName);
  }
  const triggers = state.config.config?.OnBuild ?? [];
  const triggerCmds = triggers.map((t) => parseTrigger(t, stage));
  if (state.config.config) delete state.config.config.OnBuild;
  state.total = stage.commands.length + 1 + triggerCmds.length;
  state.stepCount = 1 + [...triggerCmds, ...stage.commands].filter((c) => LAYER_STEPS.has(c.kind)).length;
  const fromText = parentIndex >= 0 ? `FROM ${baseName}` : baseName === 'scratch' ? 'FROM scratch' : `FROM ${run.opt.bases.get(baseName)?.name ?? baseName}`;
  const line = stage.location.startLine;
  const n = openVertex(run, { name: stepName(state, fromText), stage: display, position: 1, total: state.stepCount, line, instruction: { index: 1, count: state.total } });
  const base = parentIndex >= 0 ? undefined : run.opt.bases.get(baseName);
  // A base pulled for this build shows its download under the first FROM that uses it.
  for (const text of base?.pulled ?? []) emit(run, { type: 'status', n, text });
  if (base) delete base.pulled;
  const before = run.opt.previousSteps.get(`${display}#1`);
  if (before !== undefined && before !== state.key && !run.opt.opts.noCache) {
    // The base (an image re-pulled or re-tagged, or a changed parent stage) is not what the last
    // build of this Dockerfile used: every step below will miss because of it.
    const cause: BuildMissReason = { code: 'base-image-changed', instruction: 'FROM' };
    emit(run, { type: 'miss', n, reason: missReasonText(cause), cause });
    state.missStep = stepLabel(state);
    recordStep(run, state, n, fromText, line, { cacheKey: state.key, inputsKey: state.key, status: 'done', cached: false, reason: missCauseText(cause), durationMs: 0, size: 0, diffId: null, selfChanged: true });
  } else {
    recordStep(run, state, n, fromText, line, { cacheKey: state.key, inputsKey: state.key, status: 'cached', cached: true, reason: '', durationMs: 0, size: 0, diffId: null });
  }
  // BuildKit shows a local base as done, not CACHED: resolving it is the step's work.
  emit(run, { type: 'done', n, durationMs: 0 });
  if (usesContext(stage, triggerCmds)) loadBuildContext(run);
  for (const cmd of triggerCmds) await dispatch(run, state, cmd, chain, true);
  return state;
}

/** Whether a stage copies from the build context (COPY/ADD without --from, not a heredoc). */
function usesContext(stage: Stage, triggers: Command[]): boolean {
  return [...triggers, ...stage.commands].some((c) => (c.kind === 'copy' && !c.from && c.sourcePaths.length > 0) || (c.kind === 'add' && c.sourcePaths.length > 0));
}

export function parseTrigger(trigger: string, stage: Stage): Command {
  try {
    const p = parse(trigger);
    if (p.children.length !== 1) throw new StrataError('invalid', 'onbuild trigger should be a single expression');
    const cmd = parseCommand(p.children[0]!);
    return { ...cmd, location: stage.location } as Command;
  } catch (err) {
    throw new BuildError(`failed to process ONBUILD trigger "${trigger}": ${(err as Error).message}`, stage.location.startLine);
  }
}

export function baseState(run: BuildRun, stage: Stage, index: number, display: string, baseName: string): StageState {
  const platform = hostPlatform();
  if (baseName === 'scratch') {
    const config: ImageConfig = {
      architecture: platform.architecture, os: platform.os,
      config: { Env: [DEFAULT_PATH], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [] }, history: [],
    };
    return newState(stage, index, display, config, [], '', stepKey('', { instruction: `FROM scratch ${platform.os}/${platform.architecture}`, source: '', args: {} }));
  }
  const imageId = run.opt.bases.get(baseName)?.imageId ?? run.opt.engine.images.tryResolve(baseName);
  if (!imageId) {
    throw new BuildError(`failed to solve: ${baseName}: failed to resolve source metadata for ${normalizedName(baseName)}: not found`, stage.location.startLine);
  }
  const base = run.opt.engine.images.readConfig(imageId);
  const layers = run.opt.engine.images.layers(imageId).map((l): LayerInput => ({
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

export function newState(stage: Stage, index: number, display: string, config: ImageConfig, layers: LayerInput[], baseImageId: string, key: string): StageState {
  return {
    stage, index, display, config, layers, private: { pending: layers.map((l) => ({ diffId: l.diffId, files: undefined })) }, key,
    env: [...(config.config?.Env ?? [])], buildArgs: [], baseImageId, missStep: undefined, newTimes: [], position: 1, total: 0, stepNo: 1, stepCount: 0,
  };
}
