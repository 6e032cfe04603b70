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
  const todo = notPrepared(stores, imageIds);
  if (todo.length === 0) return undefined;
  const { command, args, env } = preparerCommand(stores.root, todo);
  const child = spawn(command, args, { detached: true, stdio: 'ignore', env });
  child.on('error', () => {}); // a snapshot not made ahead is made on first use
  child.unref();
  return child.pid;
}

/** A preparer started before its images exist (startPreparer). */
export interface EarlyPreparer {
  readonly pid: number | undefined;
  /** Hands it the images stored meanwhile (those not unpacked yet); it then unpacks them. */
  prepare(imageIds: readonly string[]): void;
  /** Nothing to prepare (the command failed): it exits without opening the store. */
  cancel(): void;
}

/**
 * Like prepareInBackground, for a command that is about to store images (CLI `load`): the
 * detached preparer is started first and loads its code while the command reads the archive,
 * then waits on a pipe for the image IDs, which `prepare` writes once the images are recorded
 * (never earlier: only stored images are unpacked, through the same marker protocol). Its
 * start-up — a Node process and the engine's modules, a few hundred milliseconds on a busy
 * machine — is then off the path from `load` to the first RUN, as docker's load has no such wait.
 * The command must call `prepare` or `cancel` (the open pipe keeps it running otherwise); if it
 * dies instead, the preparer reads the pipe's end and exits.
 */
export function startPreparer(stores: Stores): EarlyPreparer | undefined {
  if (!preparesInBackground()) return undefined;
  const { command, args, env } = preparerCommand(stores.root, [IDS_FROM_STDIN]);
  const child = spawn(command, args, { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
  child.on('error', () => {});
  child.stdin!.on('error', () => {}); // gone already: the snapshot is made on first use
  child.unref();
  let open = true;
  const end = (ids: readonly string[]): void => {
    if (!open) return;
    open = false;
    child.stdin!.end(ids.join('\n'));
  };
  return {
    pid: child.pid,
    prepare: (imageIds) => end(notPrepared(stores, imageIds)),
    cancel: () => end([]),
  };
}

/** The argument that makes prepare-main.ts read its image IDs from stdin. */
export const IDS_FROM_STDIN = '-';

function notPrepared(stores: Stores, imageIds: readonly string[]): string[] {
  const snapshots = new Snapshotter(stores);
  return imageIds.filter((id) => !snapshots.isPrepared(id));
}
