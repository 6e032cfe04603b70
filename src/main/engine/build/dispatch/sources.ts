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
import { shortId } from '../../../../shared/format.ts';
import { emit, openVertex, type BuildRun, type ResolvedBase } from './state.ts';
import { monotonicMs } from '../clock.ts';

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
  const started = monotonicMs();
  const fetched = new Set<string>();
  try {
    // Loaded on use: the registry client brings node:http and its bundled undici, which a build
    // from local bases never needs (about a fifth of a cached rebuild's CPU time).
    const { pull } = await import('../../registry/pull.ts');
    const res = await pull(run.opt.engine, name, {
      ...(run.opt.opts.signal ? { signal: run.opt.opts.signal } : {}),
      onProgress: (e) => { if (e.status === 'Pull complete') fetched.add(e.id); },
    });
    emit(run, { type: 'done', n, durationMs: monotonicMs() - started });
    const from = `${res.reference}@${res.digest}`;
    return { imageId: res.image.id, name: from, pulled: pulledStatuses(run, from, res.digest, res.image.id, fetched) };
  } catch (err) {
    const message = `failed to solve: ${name}: failed to resolve source metadata for ${ref}: ${(err as Error).message}`;
    run.progress.stepFailed = true;
    emit(run, { type: 'error', n, message: (err as Error).message });
    emit(run, { type: 'error', message, line });
    throw new BuildError(message, line, undefined, err);
  }
}

/**
 * BuildKit's statuses for a base it pulled: the resolve, each blob fetched (manifest, config, the
 * layers the store lacked) with its size, then each fetched layer extracted.
 */
function pulledStatuses(run: BuildRun, from: string, manifestDigest: string, configDigest: string, fetched: ReadonlySet<string>): string[] {
  const { engine } = run.opt;
  const layers = engine.images.layers(configDigest).filter((l) => fetched.has(shortId(l.blobDigest)));
  const blob = (digest: string, size: number | undefined): string[] => (size === undefined ? [] : [`${digest} ${transferSize(size)} / ${transferSize(size)} done`]);
  return [
    `resolve ${from} done`,
    ...blob(manifestDigest, engine.content.size(manifestDigest)),
    ...blob(configDigest, engine.content.size(configDigest)),
    ...layers.flatMap((l) => blob(l.blobDigest, l.blobSize)),
    ...layers.map((l) => `extracting ${l.blobDigest} done`),
  ];
}

/** BuildKit's byte counts (tonistiigi/units `%.2f`): whole bytes below 1kB, else two decimals (`2.10MB`). */
export function transferSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[i]}`;
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
  const started = monotonicMs();
  let bytes = 0;
  for (const e of walkSource(contextTree(run.opt.ctx), '.')) {
    if (e.meta.type === 'file') bytes += e.meta.size;
    else if (e.meta.type === 'symlink') bytes += e.meta.linkTarget.length;
  }
  emit(run, { type: 'status', n, text: `transferring context: ${humanSize4(bytes)} done` });
  emit(run, { type: 'done', n, durationMs: monotonicMs() - started });
}
