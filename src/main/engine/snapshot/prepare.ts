/**
 * Snapshots made ahead of need: after `load`, `pull` or `import` — from the CLI, the desktop app
 * (Electron and `strata ui`, through src/main/host) or a copy into the store from another engine —
 * the image's layers are unpacked by a detached process of their own, so the first RUN or
 * container on the image finds them made (as docker's `load` unpacks during the command) while the
 * command itself returns as soon as the image is stored. The Snapshotter publishes each snapshot
 * by an atomic rename under its marker: a RUN that needs one still being made waits for it, a
 * crash leaves nothing visible, and a process that finds a dead holder's marker makes the snapshot
 * itself.
 *
 * `STRATA_PREPARE_SNAPSHOTS=0` turns it off (the test suite does, so that a test's store holds
 * only what the test made; the tests of this feature turn it on).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Stores } from '../stores.ts';
import { Snapshotter } from './snapshotter.ts';

// Its source under Node 24 (the CLI and `strata ui` run the sources), or the script a bundle
// emits beside itself (electron-vite's `out/main/prepare-main.js` in the desktop app). Not a
// literal in `new URL(…)`: a bundler must not copy the raw .ts next to its output.
const MAIN_FILES = ['./prepare-main.ts', './prepare-main.js'];
const MAIN = MAIN_FILES.map((f) => new URL(f, import.meta.url)).find((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u)));

/** Whether snapshots are made in the background here (not when turned off, nor without the preparer's script). */
export function preparesInBackground(env: NodeJS.ProcessEnv = process.env): boolean {
  return MAIN !== undefined && env.STRATA_PREPARE_SNAPSHOTS !== '0';
}

/**
 * The preparer as a command. In Electron `execPath` is Electron itself: ELECTRON_RUN_AS_NODE makes
 * it a plain Node, and its own `execArgv` (Electron's switches) is not passed on.
 */
function preparerCommand(root: string, imageIds: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const script = fileURLToPath(MAIN!);
  if (process.versions.electron) return { command: process.execPath, args: [script, root, ...imageIds], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } };
  return { command: process.execPath, args: [...process.execArgv, script, root, ...imageIds], env: process.env };
}

/**
 * Starts a detached process unpacking the images' layers that are not unpacked yet; returns its
 * pid, or undefined when there was nothing to do or it is turned off. The caller does not wait:
 * what runs here is a few SQLite reads and one spawn, so a desktop handler calling it keeps the
 * renderer's answer immediate.
 *
 * Detached and let go in the long-running desktop process too, not tracked and killed when the
 * app quits: the snapshot serves the store, not the window (a `strata run` after the app quit uses
 * it), a kill would throw away the half-done unpack, and the marker protocol already makes a
 * process that outlives its starter safe (a RUN meanwhile waits for it; a dead one's marker is
 * taken over). Several loads in a row start several processes; a layer they share is unpacked once.
 */
export function prepareInBackground(stores: Stores, imageIds: readonly string[]): number | undefined {
  if (!preparesInBackground()) return undefined;
  const snapshots = new Snapshotter(stores);
  const todo = imageIds.filter((id) => !snapshots.isPrepared(id));
  if (todo.length === 0) return undefined;
  const { command, args, env } = preparerCommand(stores.root, todo);
  const child = spawn(command, args, { detached: true, stdio: 'ignore', env });
  child.on('error', () => {}); // a snapshot not made ahead is made on first use
  child.unref();
  return child.pid;
}
