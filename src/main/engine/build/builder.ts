/**
 * The Dockerfile builder: parse → type → dispatch, with BuildKit's semantics (stages, ARG scoping,
 * expansion, config and history) and a parent-keyed, explainable layer cache. This file runs a
 * build from start to export; dispatch/ holds the stage walker (stage.ts), the dispatcher
 * (convert.ts) and one converter per heavy instruction (convert-copy, convert-run,
 * convert-workdir), over the build's immutable options and its progress (state.ts).
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
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Stores } from '../stores.ts';
import type { LayerInput } from '../image/image-service.ts';
import { hostPlatform, type ImageConfig } from '../image/oci.ts';
import { writeImage } from '../image/image-writer.ts';
import { familiarString, formatReference, parseReference } from '../image/reference.ts';
import { digestOf } from '../store/digest.ts';
import { parse } from './parser/index.ts';
import { expandStage, findStage, parseStages, resolveMetaArgs } from './instructions/index.ts';
import { openContext, type BuildContext } from './context.ts';
import { BuildCache, fileDigestCache } from './cache.ts';
import { BuildHistory } from './history-store.ts';
import { BuildError, toBuildError } from './build-error.ts';
import type { BuildOptions, BuildResult } from './build-types.ts';
import { emit, nowIso, openVertex, type BuildProgress, type BuildRun, type StageState } from './dispatch/state.ts';
import { stageState } from './dispatch/stage.ts';
import { loadIgnoreFile, reachableStages, resolveBases } from './dispatch/sources.ts';
import { humanSize4 } from '../../../shared/units.ts';
import { monotonicMs } from './clock.ts';

export { BuildError } from './build-error.ts';
export type { BuildEvent, BuildOptions, BuildResult } from './build-types.ts';

/** Runs a build to an image in the store. */
export async function build(engine: Stores, opts: BuildOptions): Promise<BuildResult> {
  let ctx: BuildContext;
  try {
    ctx = openContext(opts.context, opts.dockerfile);
  } catch (err) {
    throw new BuildError((err as Error).message, undefined, undefined, err);
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
  const progress: BuildProgress = { n: 0, usedArgs: new Set(), states: new Map(), steps: [], stepFailed: false, contextLoaded: false, pendingMisses: [] };
  const epoch = sourceDateEpoch();
  const given: Given = {
    engine, ctx, opts, cache: new BuildCache(engine.db, engine.events), history, buildId, scratch, buildArgs, epoch,
    previousSteps: previousInputs(engine, ctx), digests: fileDigestCache(engine.db), bases: new Map(), now: epoch ?? Math.floor(Date.now() / 1000),
  };
  try {
    const imageId = await engine.gc.withLease(() => buildImage(given, progress, tags));
    history.finish(buildId, 'success', { imageId });
    opts.onEvent?.({ type: 'result', buildId, imageId, tags: tags.map((t) => familiarString(parseReference(t))) });
    return { buildId, imageId, tags, steps: progress.steps };
  } catch (err) {
    const e = toBuildError(err);
    history.finish(buildId, opts.signal?.aborted ? 'cancelled' : 'failed', { error: e.message });
    // A failing step already reported itself (with its vertex number).
    if (!progress.stepFailed) opts.onEvent?.({ type: 'error', message: e.message, ...(e.line ? { line: e.line } : {}) });
    throw e;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The options known before the Dockerfile is parsed. */
type Given = Omit<BuildRun['opt'], 'escapeToken' | 'stages' | 'metaArgs' | 'metaEnv' | 'multiStage' | 'buildStage'>;

function sourceDateEpoch(): number | undefined {
  const v = process.env.SOURCE_DATE_EPOCH;
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Inputs keys of the last build of the same Dockerfile, by stage and position (for the advisor). */
function previousInputs(engine: Stores, ctx: BuildContext): Map<string, string> {
  const h = new BuildHistory(engine.db);
  const prev = h.list({ context: ctx.dir, dockerfile: ctx.dockerfile, limit: 2 }).find((b) => b.status !== 'running');
  const m = new Map<string, string>();
  if (!prev) return m;
  for (const s of h.steps(prev.id)) m.set(`${s.stage}#${s.position}`, s.inputsKey);
  return m;
}

/** Parses the Dockerfile, fixes the build's options, builds the target stage and exports it. */
async function buildImage(given: Given, progress: BuildProgress, tags: string[]): Promise<string> {
  const n0 = ++progress.n;
  const name = basename(given.ctx.dockerfile);
  given.opts.onEvent?.({ type: 'vertex', n: n0, name: `[internal] load build definition from ${name}` });
  given.opts.onEvent?.({ type: 'status', n: n0, text: `transferring dockerfile: ${humanSize4(Buffer.byteLength(given.ctx.dockerfileText))} done` });
  given.opts.onEvent?.({ type: 'done', n: n0, durationMs: 0 });
  const parsed = parse(given.ctx.dockerfileText);
  const { stages, metaArgs } = parseStages(parsed.children);
  if (stages.length === 0) throw new BuildError(`the Dockerfile (${name}) cannot be empty`);
  const builtins = platformArgs();
  const meta = resolveMetaArgs(metaArgs, given.buildArgs, builtins, { escapeToken: parsed.escapeToken });
  for (const a of metaArgs.flatMap((m) => m.args)) progress.usedArgs.add(a.key);
  const run: BuildRun = {
    opt: {
      ...given, escapeToken: parsed.escapeToken, stages, multiStage: stages.length > 1, metaEnv: meta.env,
      metaArgs: [...meta.args, ...Object.entries(builtins).map(([key, value]) => ({ key, value, comment: '' }))],
      buildStage: (index, chain) => stageState(run, index, chain),
    },
    progress,
  };
  let target = stages.length - 1;
  if (given.opts.target) {
    target = findStage(stages, given.opts.target);
    if (target < 0) throw new BuildError(`failed to solve: target stage "${given.opts.target}" could not be found`);
  }
  await resolveBases(run, reachableStages(stages, target, (s) => expandStage(s, meta.env, { escapeToken: parsed.escapeToken }).baseName));
  loadIgnoreFile(run);
  const state = await stageState(run, target);
  const unused = Object.keys(given.buildArgs).filter((k) => !progress.usedArgs.has(k) && !(k in builtins) && !PREDEFINED_ARGS.has(k.toLowerCase()));
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

/** Writes the final image: config with history, layers and tags. */
async function exportImage(run: BuildRun, state: StageState, tags: string[]): Promise<string> {
  const n = openVertex(run, { name: 'exporting to image' });
  const started = monotonicMs();
  const config = structuredClone(state.config);
  const times = state.newTimes.filter(Boolean).sort();
  config.created = times.at(-1) ?? config.created ?? nowIso(run);
  if (config.config?.OnBuild?.length === 0) delete config.config.OnBuild;
  emit(run, { type: 'status', n, text: 'exporting layers done' });
  const img = await writeOrReuse(run, config, state.layers, tags);
  emit(run, { type: 'status', n, text: `writing image ${img.id} done` });
  for (const t of tags) emit(run, { type: 'status', n, text: `naming to ${t} done` });
  emit(run, { type: 'done', n, durationMs: monotonicMs() - started });
  return img.id;
}

/**
 * A fully cached build yields the config of an image already stored: then only its tags are
 * set, which spares re-writing (and fsyncing) the config and manifest blobs.
 */
async function writeOrReuse(run: BuildRun, config: ImageConfig, layers: LayerInput[], tags: string[]): Promise<{ id: string }> {
  const full: ImageConfig = { ...config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
  const id = digestOf(JSON.stringify(full));
  if (run.opt.engine.images.get(id) && run.opt.engine.content.has(id)) {
    for (const t of tags) run.opt.engine.images.tag(id, t);
    return { id };
  }
  return writeImage(run.opt.engine.content, run.opt.engine.images, { config, layers, tags });
}

