/** WORKDIR: the config change, and a layer creating the directory (owned by USER) unless it exists. */
import type { Command, HistoryEntry, WorkdirInstruction } from '../instructions/index.ts';
import { writeLayer, type LayerEntry } from '../copy.ts';
import { comparePaths, stripSlashes } from '../image-view.ts';
import { resolveOwner } from '../users.ts';
import { applyConfigInstruction, resolveWorkdir } from '../../image/config-changes.ts';
import { cfg, viewOf, type BuildRun, type Prepared, type StageState } from './state.ts';

export function workdirStep(run: BuildRun, state: StageState, cmd: WorkdirInstruction, entry: HistoryEntry, base: (c: Command, e: HistoryEntry | null, a: () => void) => Prepared): Prepared {
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
      const empty = await writeLayer(run.opt.engine, []);
      return { layer: empty, files: empty.files };
    }
    const owner = cfg(state).User ? await resolveOwner(run.opt.engine, view, cfg(state).User!, run.opt.scratch) : { uid: 0, gid: 0 };
    const entries = new Map<string, LayerEntry>();
    let created = false;
    for (let p2 = target; p2 !== '.' && p2 !== ''; p2 = p2.includes('/') ? p2.slice(0, p2.lastIndexOf('/')) : '') {
      const existing = view.get(p2);
      // New directories are dated at build time, and so is the existing one mkdir adds them to.
      entries.set(p2, existing?.type === 'dir'
        ? { path: p2, type: 'dir', mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid, mtime: created ? run.opt.now : existing.mtime, linkTarget: '' }
        : { path: p2, type: 'dir', mode: 0o755, uid: owner.uid, gid: owner.gid, mtime: run.opt.now, linkTarget: '' });
      created = existing?.type !== 'dir';
    }
    const layer = await writeLayer(run.opt.engine, [...entries.values()].sort((a, b) => comparePaths(a.path, b.path)));
    return { layer, files: layer.files };
  };
  return p;
}
