/**
 * What BuildKit does before and beside the stages, each shown as an `[internal]` vertex:
 * `load metadata for NAME` resolves every base image the target needs (pulling it when missing,
 * or always with `--pull`), `load .dockerignore`, and `load build context` once a stage copies
 * from the context.
 */
import { familiarName, formatReference, isFullHexId, parseReference, repositoryName } from '../../image/reference.ts';
import { expandStage, findStage, type Stage } from '../instructions/index.ts';
import { contextTree, walkSource } from '../context.ts';
import { BuildError } from '../build-error.ts';
import { humanSize4 } from '../../../../shared/units.ts';
import { emit, openVertex, type BuildRun, type ResolvedBase } from './state.ts';

/** `busybox` → `docker.io/library/busybox:latest` (as written when it is no reference). */
export function normalizedName(name: string): string {
  try {
    return formatReference(parseReference(name));
  } catch {
    return name;
  }
}

/** Stage indexes the target needs (FROM a stage, COPY --from a stage), the target last. */
export function reachableStages(stages: readonly Stage[], target: number, baseOf: (s: Stage) => string): number[] {
  const seen = new Set<number>();
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    const stage = stages[i]!;
    const parent = findStage(stages.slice(0, i), baseOf(stage));
    if (parent >= 0) visit(parent);
    for (const c of stage.commands) {
      if (c.kind !== 'copy' || !c.from) continue;
      const byName = findStage(stages, c.from);
      const idx = byName >= 0 ? byName : /^\d+$/.test(c.from) && Number(c.from) < stages.length ? Number(c.from) : -1;
      if (idx >= 0 && idx !== i) visit(idx);
    }
  };
  visit(target);
  return [...seen].sort((a, b) => a - b);
}

/** The images the needed stages start from or copy from, in Dockerfile order, each once, with the line naming it first. */
function externalImages(run: BuildRun, needed: number[]): Map<string, number> {
  const { stages } = run.opt;
  const out = new Map<string, number>();
  const add = (name: string, line: number): void => {
    if (!out.has(name)) out.set(name, line);
  };
  for (const i of needed) {
    const stage = stages[i]!;
    const base = expandStage(stage, run.opt.metaEnv, { escapeToken: run.opt.escapeToken }).baseName;
    if (base !== 'scratch' && findStage(stages.slice(0, i), base) < 0) add(base, stage.location.startLine);
    for (const c of stage.commands) {
      if (c.kind === 'copy' && c.from && findStage(stages, c.from) < 0 && !/^\d+$/.test(c.from)) add(c.from, c.location.startLine);
    }
  }
  return out;
}

/** `[internal] load metadata for …` per base image; a missing one is pulled (always with --pull). */
export async function resolveBases(run: BuildRun, needed: number[]): Promise<void> {
  for (const [name, line] of externalImages(run, needed)) {
    const local = run.opt.engine.images.tryResolve(name);
    if (local && (!run.opt.opts.pull || isFullHexId(name) || name.startsWith('sha256:'))) {
      const n = openVertex(run, { name: `[internal] load metadata for ${normalizedName(name)}` });
      run.opt.bases.set(name, { imageId: local, name: fromName(run, name, local) });
      emit(run, { type: 'done', n, durationMs: 0 });
      continue;
    }
    run.opt.bases.set(name, await pullBase(run, name, line));
  }
}

async function pullBase(run: BuildRun, name: string, line: number): Promise<ResolvedBase> {
  const ref = normalizedName(name);
  const n = openVertex(run, { name: `[internal] load metadata for ${ref}` });
  const started = performance.now();
  try {
    // Loaded on use: the registry client brings node:http and its bundled undici, which a build
    // from local bases never needs (about a fifth of a cached rebuild's CPU time).
    const { pull } = await import('../../registry/pull.ts');
    const res = await pull(run.opt.engine, name, { ...(run.opt.opts.signal ? { signal: run.opt.opts.signal } : {}) });
    emit(run, { type: 'status', n, text: `resolve ${res.reference}@${res.digest} done` });
    emit(run, { type: 'done', n, durationMs: performance.now() - started });
    return { imageId: res.image.id, name: `${res.reference}@${res.digest}` };
  } catch (err) {
    const message = `failed to solve: ${name}: failed to resolve source metadata for ${ref}: ${(err as Error).message}`;
    run.progress.stepFailed = true;
    emit(run, { type: 'error', n, message: (err as Error).message });
    emit(run, { type: 'error', message, line });
    throw new BuildError(message, line, undefined, err);
  }
}

/** The FROM step's name: the normalised reference, with the digest the registry gave it when known. */
function fromName(run: BuildRun, name: string, imageId: string): string {
  let ref;
  try {
    ref = parseReference(name);
  } catch {
    return name;
  }
  if (ref.digest) return formatReference(ref);
  const repo = familiarName(repositoryName(ref));
  const known = run.opt.engine.images.repoDigestsOf(imageId).find((d) => d.startsWith(`${repo}@`));
  return known ? `${formatReference(ref)}${known.slice(repo.length)}` : formatReference(ref);
}

/** `[internal] load .dockerignore`: BuildKit sends an empty file (2B) when there is none. */
export function loadIgnoreFile(run: BuildRun): void {
  const n = openVertex(run, { name: '[internal] load .dockerignore' });
  emit(run, { type: 'status', n, text: `transferring context: ${humanSize4(run.opt.ctx.ignoreSize ?? 2)} done` });
  emit(run, { type: 'done', n, durationMs: 0 });
}

/** `[internal] load build context`, once, before the first stage that copies from it. */
export function loadBuildContext(run: BuildRun): void {
  if (run.progress.contextLoaded) return;
  run.progress.contextLoaded = true;
  const n = openVertex(run, { name: '[internal] load build context' });
  const started = performance.now();
  let bytes = 0;
  for (const e of walkSource(contextTree(run.opt.ctx), '.')) {
    if (e.meta.type === 'file') bytes += e.meta.size;
    else if (e.meta.type === 'symlink') bytes += e.meta.linkTarget.length;
  }
  emit(run, { type: 'status', n, text: `transferring context: ${humanSize4(bytes)} done` });
  emit(run, { type: 'done', n, durationMs: performance.now() - started });
}
