/**
 * Work on layers and containers' files that a rootless user with subordinate IDs cannot do as
 * themselves: the user cannot chown to a subordinate ID, nor read or write where such an ID keeps
 * its files private. userns-worker.ts does it inside the user namespace instead, where IDs are
 * the container's and its root has the capabilities over them (one Node process per call).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { idMapping, spawnInUserNamespace, userNamespaceArgs } from './idmap.ts';
import { StrataError, isErrorCode } from '../../../shared/errors.ts';

/** True when layers and containers' files must be handled inside the user namespace. */
export function needsUserNamespace(): boolean {
  return idMapping().mode === 'subordinate';
}

/** What the worker does; `userns-worker.ts` holds the implementations. */
export type WorkerJob =
  | { op: 'unpack'; target: string; lowerDirs: string[] }
  | { op: 'pack'; upperDir: string }
  | { op: 'copy-in'; lowerDirs: string[]; upperDir: string; src: string; dest: string }
  | { op: 'extract-in'; lowerDirs: string[]; upperDir: string; dest: string; container: string }
  | { op: 'copy-out'; lowerDirs: string[]; upperDir: string; src: string; dest: string }
  | { op: 'archive-out'; lowerDirs: string[]; upperDir: string; src: string }
  | { op: 'export'; lowerDirs: string[]; upperDir: string }
  | { op: 'materialize'; lowerDirs: string[]; upperDir: string; target: string }
  | { op: 'sync-back'; lowerDirs: string[]; upperDir: string; root: string; skip: string[] };

/**
 * The worker as a command: its source under Node 24 (the CLI runs the sources), or the script
 * electron-vite bundles beside the main process in the desktop app, where `execPath` is Electron
 * and ELECTRON_RUN_AS_NODE makes it a plain Node.
 */
function workerCommand(job: WorkerJob): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const source = fileURLToPath(new URL('./userns-worker.ts', import.meta.url));
  const script = existsSync(source) ? source : fileURLToPath(new URL('./userns-worker.js', import.meta.url));
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  return { command: process.execPath, args: [script, JSON.stringify(job)], env };
}

/** The worker reports a failure as one JSON line (ErrorData) on stderr: the same class comes back. */
function workerError(stderr: string, code: number | null): Error {
  const last = stderr.trim().split('\n').at(-1) ?? '';
  try {
    const data = JSON.parse(last) as { code?: unknown; message?: unknown; details?: Record<string, unknown> };
    if (isErrorCode(data.code) && typeof data.message === 'string') return new StrataError(data.code, data.message, data.details ? { details: data.details } : {});
  } catch {
    /* not the worker's report: the process failed some other way */
  }
  return new Error(stderr.trim() || `user namespace worker exited with ${code}`);
}

function collect(stream: Readable | null, limit: number): () => string {
  let text = '';
  stream?.on('data', (d: Buffer) => {
    if (text.length < limit) text += d.toString();
  });
  return () => text;
}

/** Runs a job to completion: `input` goes to its stdin; resolves with its stdout (a short answer). */
export async function runInUserNamespace(job: WorkerJob, input?: Readable | AsyncIterable<Uint8Array>): Promise<string> {
  const w = workerCommand(job);
  const child = spawnInUserNamespace(w.command, w.args, [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], w.env);
  const stdout = collect(child.stdout, 1 << 16);
  const stderr = collect(child.stderr, 1 << 16);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  // A worker that refuses its input stops reading: its own report says why, not the broken pipe.
  if (input) await pipeline(input, child.stdin!).catch(() => {});
  const code = await exited;
  if (code !== 0) throw workerError(stderr(), code);
  return stdout();
}

/** The same, synchronously, for a job without input. */
export function runInUserNamespaceSync(job: WorkerJob): string {
  const w = workerCommand(job);
  const res = spawnSync('unshare', [...userNamespaceArgs(), '--', w.command, ...w.args], { encoding: 'utf8', env: w.env, maxBuffer: 1 << 20 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw workerError(res.stderr, res.status);
  return res.stdout;
}

/** A job whose answer is a stream (a tar): the returned stream fails if the worker does. */
export function streamFromUserNamespace(job: WorkerJob): PassThrough {
  const w = workerCommand(job);
  const child = spawnInUserNamespace(w.command, w.args, ['ignore', 'pipe', 'pipe'], w.env);
  const stderr = collect(child.stderr, 1 << 16);
  const out = new PassThrough();
  child.on('error', (err) => out.destroy(err));
  child.stdout!.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(workerError(stderr(), code));
  });
  // A reader that gives up (an error downstream) ends the worker too.
  out.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return out;
}
