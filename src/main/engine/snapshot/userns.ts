/**
 * Snapshot work that a rootless user with subordinate IDs cannot do as themselves: the user
 * cannot chown to a subordinate ID nor read a file such an ID keeps private. userns-worker.ts
 * runs it inside the user namespace instead (one Node process per layer).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { idMapping, spawnInUserNamespace } from './idmap.ts';

/** True when layers must be unpacked and packed inside the user namespace. */
export function needsUserNamespace(): boolean {
  return idMapping().mode === 'subordinate';
}

/**
 * The worker as a command: its source under Node 24 (the CLI runs the sources), or the script
 * electron-vite bundles beside the main process in the desktop app, where `execPath` is Electron
 * and ELECTRON_RUN_AS_NODE makes it a plain Node.
 */
function workerCommand(): { command: string; script: string; env: NodeJS.ProcessEnv } {
  const source = fileURLToPath(new URL('./userns-worker.ts', import.meta.url));
  const script = existsSync(source) ? source : fileURLToPath(new URL('./userns-worker.js', import.meta.url));
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  return { command: process.execPath, script, env };
}

function stderrOf(child: { stderr: Readable | null }): () => string {
  let text = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (text.length < 4096) text += d.toString();
  });
  return () => text.trim();
}

/** unpackLayer inside the user namespace: `source` is the uncompressed layer tar. */
export async function unpackInUserNamespace(source: Readable, target: string, lowerDirsBelow: readonly string[]): Promise<void> {
  const w = workerCommand();
  const child = spawnInUserNamespace(w.command, [w.script, 'unpack', target, ...lowerDirsBelow], ['pipe', 'ignore', 'pipe'], w.env);
  const stderr = stderrOf(child);
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  // The worker stops reading when it refuses an entry: its exit status says why, not the broken pipe.
  await pipeline(source, child.stdin!).catch(() => {});
  const code = await exited;
  if (code !== 0) throw new Error(stderr() || `unpack worker exited with ${code}`);
}

/** packUpper inside the user namespace: the layer tar on the returned stream, an error if the worker fails. */
export function packInUserNamespace(upperDir: string): PassThrough {
  const w = workerCommand();
  const child = spawnInUserNamespace(w.command, [w.script, 'pack', upperDir], ['ignore', 'pipe', 'pipe'], w.env);
  const stderr = stderrOf(child);
  const out = new PassThrough();
  child.on('error', (err) => out.destroy(err));
  child.stdout!.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new Error(stderr() || `pack worker exited with ${code}`));
  });
  return out;
}
