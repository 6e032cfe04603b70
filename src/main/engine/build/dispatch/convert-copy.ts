/**
 * COPY and ADD (BuildKit's convert_copy.go): sources from the context, a heredoc, another stage
 * or a local image; ownership and mode; the content checksum that keys the cache.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { NEW_FILE } from '../context-file.ts';
import { findStage, type AddInstruction, type CopyInstruction, type HistoryEntry } from '../instructions/index.ts';
import { cleanSourcePath, contextTree, matchSources, walkSource, followSource, type SourceMeta, type SourceTree } from '../context.ts';
import { checkCopyDest, destNeedsView, planCopy, readCopySources, writeLayer } from '../copy.ts';
import { ImageView } from '../image-view.ts';
import type { StepInputs } from '../cache.ts';
import { resolveOwner } from '../users.ts';
import { StrataError } from '../../../../shared/errors.ts';
import { cfg, viewOf, type BuildRun, type Prepared, type StageState } from './state.ts';

export async function copyStep(run: BuildRun, state: StageState, cmd: CopyInstruction | AddInstruction, entry: HistoryEntry, scope: Record<string, string>, chain: number[]): Promise<Prepared> {
  if (cmd.kind === 'copy' && cmd.parents) throw new StrataError('unsupported', 'COPY --parents is not supported yet');
  if (cmd.excludePatterns.length > 0) throw new StrataError('unsupported', `${cmd.kind.toUpperCase()} --exclude is not supported yet`);
  if (cmd.kind === 'add' && cmd.checksum) throw new StrataError('unsupported', 'ADD --checksum is not supported yet');
  let tree: SourceTree = contextTree(run.opt.ctx);
  let from: string | undefined;
  let sources = cmd.sourcePaths;
  if (cmd.sourceContents.length > 0) {
    // Heredoc sources (`COPY <<EOF /file`) become files of mode 0644, as BuildKit's Mkfile.
    tree = heredocTree(join(run.opt.scratch, `heredoc-${run.progress.n}`), cmd.sourceContents);
    sources = cmd.sourceContents.map((c) => cleanSourcePath(c.path));
  } else if (cmd.kind === 'copy' && cmd.from) {
    const src = await sourceFromStage(run, cmd.from, cmd.sourcePaths, chain);
    tree = src.tree;
    from = src.from;
  }
  const stepScratch = join(run.opt.scratch, `step-${run.progress.n}`);
  mkdirSync(stepScratch, { recursive: true });
  // The image's view (every file of every layer below) is only read when the step needs it now:
  // a --chown name to look up, or a destination check; else on a miss, to plan the layer.
  const chown = cmd.chown ? await resolveOwner(run.opt.engine, viewOf(run, state), cmd.chown, run.opt.scratch) : undefined;
  const chmod = parseChmod(cmd.chmod);
  const spec = {
    isAdd: cmd.kind === 'add' && cmd.sourceContents.length === 0, sources, dest: cmd.destPath, workdir: cfg(state).WorkingDir || '/', tree,
    scratchDir: stepScratch, chown, chmod, now: run.opt.now, clamp: run.opt.epoch, signal: run.opt.opts.signal, digests: run.opt.digests,
  };
  const read = await readCopySources(spec);
  if (destNeedsView(spec)) checkCopyDest({ ...spec, view: viewOf(run, state) });
  const inputs: StepInputs = {
    instruction: entry.createdBy, source: cmd.code, scope, checksum: read.checksum, files: read.files,
    // Resolved ownership is an input: the same --chown name can map to another ID in another base.
    args: chown ? { CHOWN: `${chown.uid}:${chown.gid}` } : {},
    ...(from ? { from } : {}),
  };
  return {
    cmd, entry, inputs, apply: () => {},
    execute: async () => {
      const plan = await planCopy({ ...spec, view: viewOf(run, state) }, read);
      const layer = await writeLayer(run.opt.engine, plan.entries);
      return { layer, files: layer.files };
    },
  };
}

/**
 * Heredoc sources (`COPY <<EOF /file`) become files of mode 0644, as BuildKit's Mkfile. The name
 * comes from the Dockerfile: cleaned against `/` (as Mkfile's path is), so `<<../../x` is `x` in
 * the scratch folder and never a path on the host.
 */
export function heredocTree(dir: string, contents: readonly { path: string; data: string }[]): SourceTree {
  mkdirSync(dir, { recursive: true });
  const meta = new Map<string, SourceMeta>();
  for (const c of contents) {
    const name = cleanSourcePath(c.path);
    if (name === '.') throw new StrataError('invalid', `invalid heredoc name: ${JSON.stringify(c.path)}`);
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

export function parseChmod(chmod: string): number | undefined {
  if (!chmod) return undefined;
  if (!/^[0-7]+$/.test(chmod) || Number.parseInt(chmod, 8) > 0o7777) {
    throw new StrataError('invalid', `invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
  }
  return Number.parseInt(chmod, 8);
}

/** `COPY --from`: a stage (name or index) or a local image; the named files are extracted to scratch. */
export async function sourceFromStage(run: BuildRun, from: string, sources: string[], chain: number[]): Promise<{ tree: SourceTree; from: string }> {
  let view: ImageView;
  let label: string;
  let idx = findStage(run.opt.stages, from);
  if (idx < 0 && /^\d+$/.test(from) && Number(from) < run.opt.stages.length) idx = Number(from);
  if (idx >= 0) {
    if (chain.includes(idx)) throw new StrataError('invalid', `circular dependency detected on stage: ${from}`);
    const st = await run.opt.buildStage(idx, chain);
    view = viewOf(run, st);
    label = `stage ${from}`;
  } else {
    const id = run.opt.engine.images.tryResolve(from);
    if (!id) throw new StrataError('not-found', `failed to resolve source metadata for ${from}: not found in the local store (pull or load it first)`);
    view = ImageView.of(run.opt.engine, run.opt.engine.images.layers(id).map((l) => l.diffId));
    label = id;
  }
  const meta = new Map<string, SourceMeta>();
  for (const e of view.subtree('')) {
    // A hardlink is planned as a file; extraction says what it really is (a copy of its target).
    const type = e.type === 'hardlink' ? 'file' : e.type === 'whiteout' || e.type === 'opaque' ? undefined : e.type;
    if (!type) continue;
    meta.set(e.path, { type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, linkTarget: e.type === 'symlink' ? e.linkTarget : '' });
  }
  const root = join(run.opt.scratch, `from-${run.progress.n}`);
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
  for (const [path, m] of await view.extract(run.opt.engine, entries, root)) meta.set(path, m);
  return { tree: probe, from: label };
}
