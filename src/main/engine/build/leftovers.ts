/**
 * What a build killed outright (kill -9, a crash, power loss) leaves behind: its history record
 * still "running", its scratch folder `build-tmp/<id>` (extracted archives, `COPY --from` files,
 * the RUN step's writable layer) and the sandbox's `strata-run-<id>…` folders in the temp dir.
 * Every build records its owner — the process ID with the process's start time, so a reused PID
 * is not mistaken for it — and `system gc` and `builder prune` finish what no living process owns.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stores } from '../stores.ts';
import { removeTree } from '../snapshot/rootfs.ts';
import { BuildHistory } from './history-store.ts';
import { buildOfRunScratch, stampAlive } from './owner.ts';

export interface SweptBuilds {
  /** Records marked failed because their process is gone. */
  interrupted: string[];
  /** Scratch folders removed. */
  folders: number;
}

/** Marks builds whose process is gone as failed and removes scratch folders nothing owns. */
export function sweepInterruptedBuilds(engine: Pick<Stores, 'db' | 'dir'>): SweptBuilds {
  const history = new BuildHistory(engine.db);
  const interrupted: string[] = [];
  const live = new Set<string>();
  for (const { id, owner } of history.running()) {
    if (stampAlive(owner)) live.add(id);
    else {
      history.finish(id, 'failed', { error: 'interrupted: the build process exited before the build finished' });
      interrupted.push(id);
    }
  }
  const root = engine.dir('build-tmp');
  let folders = 0;
  const alive = (id: string): boolean => {
    if (live.has(id)) return true;
    // A build that started since the records were read is alive too.
    return history.get(id)?.status === 'running' && stampAlive(history.owner(id));
  };
  for (const name of readdirSync(root)) {
    if (alive(name)) continue;
    removeTree(join(root, name));
    folders++;
  }
  // The RUN sandbox's folders in the temp dir, named after their build.
  for (const name of readdirSync(tmpdir())) {
    const id = buildOfRunScratch(name);
    if (!id || !history.get(id) || alive(id)) continue;
    removeTree(join(tmpdir(), name));
    folders++;
  }
  return { interrupted, folders };
}
