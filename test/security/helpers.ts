/**
 * Helpers for the attack tests: hostile tars with raw headers, the CLI run in a child process
 * (bounded in time and memory, optionally as the unprivileged user 65534), and temporary folders
 * that user can reach. Victims are files the tests create themselves outside the build context:
 * every test removes them, nothing outside its temporary folder is ever aimed at.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { repoRoot } from '../paths.ts';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** Why the unprivileged variant cannot run here (undefined when it can). */
export function nobodyUnavailable(): string | undefined {
  if (!isRoot) return 'the unprivileged variant switches to uid 65534 and needs root to do so';
  if (!have('setpriv')) return 'setpriv (util-linux) is not installed';
  return undefined;
}

/** A temporary folder; with `owner`, it belongs to that user (who can then build in it). */
export function securityTemp(prefix: string, owner?: number): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o755);
  if (owner !== undefined) chownSync(path, owner, owner);
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface RawEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string;
  linkname?: string;
  mode?: number;
  devmajor?: number;
  devminor?: number;
}

/** Writes a tar exactly as described: names and link targets are not cleaned. */
export async function writeRawTar(path: string, entries: readonly RawEntry[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: 0, gid: 0, mtime: new Date(0),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(e.devmajor !== undefined ? { devmajor: e.devmajor, devminor: e.devminor ?? 0 } : {}),
    };
    if (type === 'file') pack.entry(header, e.content ?? '');
    else pack.entry({ ...header, size: 0 });
  }
  pack.finalize();
  await done;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The CLI was still running after the time limit and was killed. */
  timedOut: boolean;
}

/**
 * Runs `strata ARGS` in its own process group, as `user` when given, with its data segment
 * capped (a runaway read fails instead of exhausting the machine's memory) and killed — with
 * everything it started — after `timeoutMs`.
 */
export function runStrata(args: string[], opts: { user?: number; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return startStrata(args, opts).result;
}

/** Like runStrata, but returns at once: the process group ID and the result to come. */
export function startStrata(args: string[], opts: { user?: number; timeoutMs?: number; cwd?: string } = {}): { pgid: number; result: Promise<CliResult> } {
  const asUser = opts.user !== undefined ? ['setpriv', '--reuid', String(opts.user), '--regid', String(opts.user), '--clear-groups'] : [];
  const argv = ['--data=3000000000', ...asUser, join(repoRoot, 'bin', 'strata'), ...args];
  const child = spawn('prlimit', argv, {
    cwd: opts.cwd ?? tmpdir(), detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_COMPILE_CACHE: join(tmpdir(), `strata-test-compile-cache-${opts.user ?? 0}`) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid!);
  }, opts.timeoutMs ?? 60_000);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(child.pid!);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
  return { pgid: child.pid!, result };
}

/** SIGKILL to a process group this test started (ignored when it is already gone). */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** A Node stack frame or an internal error dump in CLI output. */
export const STACK_TRACE = /^\s+at .*(\(|file:|node:)|node:internal|^\s*\^\s*$/m;
