/**
 * Snapshots made ahead of need: after `load` or `pull`, the image's layers are unpacked by a
 * detached process of their own, so the first RUN or container on the image finds them made (as
 * docker's `load` unpacks during the command) while the command itself returns as soon as the
 * image is stored. The Snapshotter publishes each snapshot by an atomic rename under its marker:
 * a RUN that needs one still being made waits for it, a crash leaves nothing visible, and a
 * process that finds a dead holder's marker makes the snapshot itself.
 *
 * `STRATA_PREPARE_SNAPSHOTS=0` turns it off (the test suite does, so that a test's store holds
 * only what the test made; the tests of this feature turn it on).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Stores } from '../stores.ts';
import { Snapshotter } from './snapshotter.ts';

// Not a literal in `new URL(…)`: a bundler must not copy the raw .ts next to its output.
const MAIN_FILES = ['./prepare-main.ts', './prepare-main.js'];
const MAIN = MAIN_FILES.map((f) => new URL(f, import.meta.url)).find((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u)));

/** Whether snapshots are made in the background here (not in Electron, nor when turned off). */
export function preparesInBackground(env: NodeJS.ProcessEnv = process.env): boolean {
  return MAIN !== undefined && env.STRATA_PREPARE_SNAPSHOTS !== '0' && !process.versions.electron;
}

/**
 * Starts a detached process unpacking the images' layers that are not unpacked yet; returns its
 * pid, or undefined when there was nothing to do or it is turned off. The caller does not wait.
 */
export function prepareInBackground(stores: Stores, imageIds: readonly string[]): number | undefined {
  if (!preparesInBackground()) return undefined;
  const snapshots = new Snapshotter(stores);
  const todo = imageIds.filter((id) => !snapshots.isPrepared(id));
  if (todo.length === 0) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(MAIN!), stores.root, ...todo], { detached: true, stdio: 'ignore' });
  child.on('error', () => {}); // a snapshot not made ahead is made on first use
  child.unref();
  return child.pid;
}
