/**
 * The dispatcher (BuildKit's convert.go): each instruction through the cache, with a flat switch
 * that hands the heavy ones to a converter of their own (convert-workdir, convert-copy,
 * convert-run); config-only instructions are applied here.
 */
import type { BuildMissCause, BuildMissReason } from '../../api.ts';
import { createdBy, expandInstruction, progressName, resolveArgs, type Command, type HistoryEntry } from '../instructions/index.ts';
import { inputsKey, missCauseText, missReasonText, recordLayer, stepKey } from '../cache.ts';
import { applyConfigInstruction, isConfigInstruction, validateConfigInstruction } from '../../image/config-changes.ts';
import { located } from '../build-error.ts';
import {
  LAYER_STEPS, addLayer, cfg, emit, envValue, nowIso, openVertex, pushHistory, recordStep, scopeArgs, setEnv, stepLabel, stepName,
  type BuildRun, type Prepared, type StageState, type StepOutcome,
} from './state.ts';
import { loadBuildContext } from './sources.ts';
import { workdirStep } from './convert-workdir.ts';
import { copyStep } from './convert-copy.ts';
import { runStep } from './convert-run.ts';
import { monotonicMs } from '../clock.ts';

/**
 * Dispatches one instruction through the cache. FROM, RUN, COPY, ADD and WORKDIR are vertices
 * with BuildKit's `[n/m]`; the config-only instructions are none (BuildKit shows nothing for
 * them): their miss reasons go under the next vertex.
 */
export async function dispatch(run: BuildRun, state: StageState, raw: Command, chain: number[], onbuild = false): Promise<void> {
  state.position++;
  const line = raw.location.startLine;
  const isStep = LAYER_STEPS.has(raw.kind);
  if (isStep) state.stepNo++;
  let n = 0;
  let prepared: Prepared;
  try {
    if (isStep) {
      if ((raw.kind === 'copy' && !raw.from && raw.sourcePaths.length > 0) || (raw.kind === 'add' && raw.sourcePaths.length > 0)) loadBuildContext(run);
      const nameText = displayName(raw, state.env, run.opt.escapeToken);
      n = openVertex(run, {
        name: stepName(state, `${onbuild ? 'ONBUILD ' : ''}${nameText}`), stage: state.display, position: state.stepNo, total: state.stepCount, line,
        instruction: { index: state.position, count: state.total },
      });
    }
    prepared = await prepare(run, state, raw, chain);
  } catch (err) {
    if (n > 0) {
      run.progress.stepFailed = true;
      emit(run, { type: 'error', n, message: (err as Error).message, line });
    }
    throw located(err, line);
  }
  const shown = isStep ? stepLabel(state) : `${raw.kind.toUpperCase()} (line ${line})`;
  // A config step has no vertex: its record gets a number of its own, below zero.
  const recN = isStep ? n : -(run.progress.steps.length + 1);
  const started = monotonicMs();
  const parentKey = state.key;
  const key = stepKey(parentKey, prepared.inputs);
  const ownKey = inputsKey(prepared.inputs);
  const prevOwn = run.opt.previousSteps.get(`${state.display}#${state.position}`);
  const selfChanged = prevOwn !== undefined && prevOwn !== ownKey;
  const hit = run.opt.opts.noCache ? undefined : run.opt.cache.get(key);
  const instruction = prepared.entry?.createdBy.replace(/ # buildkit$/, '') ?? raw.code;
  const configEvent = { type: 'config', name: displayName(raw, state.env, run.opt.escapeToken), stage: state.display, line, instruction: { index: state.position, count: state.total } } as const;
  if (hit) {
    if (isStep) emit(run, { type: 'cached', n });
    else emit(run, { ...configEvent, cached: true });
    run.opt.cache.touch(key);
    if (hit.diffId) addLayer(state, run.opt.cache.layerInput(hit.diffId));
    prepared.apply();
    if (prepared.entry) pushHistory(state, prepared.entry, hit.historyCreated, hit.diffId === null && !prepared.entry.emptyLayer ? true : undefined);
    state.key = key;
    recordStep(run, state, recN, instruction, line, { cacheKey: key, inputsKey: ownKey, status: 'cached', cached: true, reason: '', durationMs: 0, size: hit.size, diffId: hit.diffId, selfChanged });
    return;
  }
  const why: BuildMissCause = run.opt.opts.noCache
    ? { code: 'no-cache' }
    : state.missStep !== undefined
      ? { code: 'parent-missed', step: state.missStep }
      : run.opt.cache.explainMissCause(parentKey, raw.kind, prepared.inputs);
  const what = raw.kind === 'copy' || raw.kind === 'add' ? displayName(raw, state.env, run.opt.escapeToken) : raw.kind.toUpperCase();
  const cause: BuildMissReason = { ...why, instruction: what };
  const reason = missCauseText(why);
  if (isStep) emit(run, { type: 'miss', n, reason: missReasonText(cause), cause });
  else {
    emit(run, { ...configEvent, cached: false, reason: missReasonText(cause) });
    run.progress.pendingMisses.push({ type: 'miss', n: 0, reason: missReasonText(cause), cause, carried: true });
  }
  state.missStep ??= shown;
  let outcome: StepOutcome = {};
  try {
    if (prepared.execute) outcome = await prepared.execute();
  } catch (err) {
    run.progress.stepFailed = isStep;
    if (isStep) emit(run, { type: 'error', n, message: (err as Error).message, line });
    recordStep(run, state, recN, instruction, line, { cacheKey: key, inputsKey: ownKey, status: 'failed', cached: false, reason, durationMs: monotonicMs() - started, size: 0, diffId: null, selfChanged });
    throw located(err, line);
  }
  const created = nowIso(run);
  if (outcome.layer) {
    recordLayer(run.opt.engine.db, { ...outcome.layer, ...(outcome.files ? { files: outcome.files } : {}) });
    addLayer(state, outcome.layer, outcome.files);
  }
  prepared.apply();
  const noLayer = !outcome.layer && prepared.entry !== null && !prepared.entry.emptyLayer;
  if (prepared.entry) pushHistory(state, prepared.entry, created, noLayer ? true : undefined);
  const durationMs = monotonicMs() - started;
  run.opt.cache.put({
    key, parentKey, kind: raw.kind, description: prepared.entry?.createdBy ?? raw.code, diffId: outcome.layer?.diffId ?? null,
    historyCreated: created, inputs: prepared.inputs, size: outcome.layer?.diffSize ?? 0, durationMs: Math.round(durationMs),
  });
  state.key = key;
  if (isStep) emit(run, { type: 'done', n, durationMs });
  recordStep(run, state, recN, instruction, line, {
    cacheKey: key, inputsKey: ownKey, status: 'done', cached: false, reason, durationMs, size: outcome.layer?.diffSize ?? 0,
    diffId: outcome.layer?.diffId ?? null, selfChanged,
  });
}

/** The step name shown in progress: expanded where BuildKit expands, as written elsewhere. */
export function displayName(cmd: Command, env: string[], escapeToken: string): string {
  if (['cmd', 'entrypoint', 'shell', 'healthcheck', 'onbuild', 'maintainer'].includes(cmd.kind) || (cmd.kind === 'run' && !cmd.prependShell)) {
    const space = cmd.code.indexOf(' ');
    return space < 0 ? cmd.code.toUpperCase() : cmd.code.slice(0, space).toUpperCase() + cmd.code.slice(space);
  }
  return progressName(cmd, env, escapeToken);
}

/** Expands the instruction, computes its history entry and inputs, and binds its effects. */
export async function prepare(run: BuildRun, state: StageState, raw: Command, chain: number[]): Promise<Prepared> {
  const escape = { escapeToken: run.opt.escapeToken };
  const scope = scopeArgs(state);
  const base = (cmd: Command, entry: HistoryEntry | null, apply: () => void): Prepared => ({
    cmd, entry, apply, inputs: { instruction: entry?.createdBy ?? `ONBUILD ${(cmd as { expression?: string }).expression ?? cmd.code}`, source: raw.code, args: {}, scope },
  });
  const hctx = () => ({ shell: cfg(state).Shell ?? [], buildArgs: state.buildArgs, env: state.env, workingDir: cfg(state).WorkingDir || '/' });
  if (raw.kind === 'arg') {
    const resolved = resolveArgs(raw, { buildArgs: run.opt.buildArgs, metaArgs: run.opt.metaArgs, env: state.env }, escape);
    for (const a of raw.args) run.progress.usedArgs.add(a.key);
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
