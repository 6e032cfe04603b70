/**
 * The desktop app's main process holds every window: hostile input must not take it down. The
 * built main bundle runs in Node with the stand-in `electron` (test/electron), and the test, as the
 * app's own page, asks for a build whose ADD tar has a `../` entry — the builder's tar reader then
 * raises an 'error' event outside any awaited promise. Main answers in an error envelope and goes
 * on answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { Channels } from '../../src/shared/contract.ts';

interface Envelope { ok: boolean; value?: unknown; error?: { message: string; code: string } }

const tmp = tempDir('strata-electron-survives-');
let outDir: string;
let main: ChildProcess;
let stderr = '';
let exited: number | string | null | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function ask<T>(op: string, fields: Record<string, unknown> = {}): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    main.send({ id, op, ...fields });
  });
}

const ownPage = () => ({ url: `file://${join(outDir, 'renderer', 'index.html')}`, top: true });
const invoke = (channel: string, args: unknown[]) => ask<Envelope>('invoke', { channel, frame: ownPage(), args });

async function hostileContext(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const pack = tar.pack();
  pack.entry({ name: 'ok.txt' }, 'fine\n');
  pack.entry({ name: '../escape.txt' }, 'outside\n');
  pack.finalize();
  const out = createWriteStream(join(dir, 'evil.tar'));
  pack.pipe(out);
  await finished(out);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nADD evil.tar /\n');
  return dir;
}

beforeAll(async () => {
  const app = join(tmp.path, 'app');
  mkdirSync(app);
  symlinkSync(join(repoRoot, 'node_modules'), join(app, 'node_modules'));
  outDir = join(app, 'out');
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`electron-vite build failed: ${build.stderr}`);
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_ROOT: join(tmp.path, 'store'), STRATA_STAND_IN_USER_DATA: join(tmp.path, 'user-data'), STRATA_DEBUG: '' };
  delete env.ELECTRON_RENDERER_URL;
  main = fork(join(outDir, 'main', 'index.js'), [], {
    execArgv: ['--no-warnings=ExperimentalWarning', '--import', join(repoRoot, 'test', 'electron', 'use-stand-in.ts')],
    env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  main.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  main.on('message', (msg: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error !== undefined) p?.reject(new Error(msg.error));
    else p?.resolve(msg.value);
  });
  main.once('exit', (code, signal) => {
    exited = code ?? signal;
    for (const p of pending.values()) p.reject(new Error(`main exited with ${code ?? signal}: ${stderr}`));
  });
  for (let waited = 0; (await ask<{ windows: unknown[] }>('state')).windows.length === 0; waited += 50) {
    if (waited > 30_000) throw new Error(`main opened no window: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 180_000);

afterAll(() => {
  if (exited === undefined) main?.kill('SIGTERM');
  tmp.cleanup();
});

describe('security: hostile input never takes down Electron main', () => {
  it('a build of a hostile ADD tar is answered with an error envelope, and main keeps answering', async () => {
    const ctx = await hostileContext(join(tmp.path, 'ctx'));
    const params = { path: ctx, dockerfile: 'Dockerfile', tags: [], buildArgs: {}, target: '', noCache: true };
    for (let i = 0; i < 2; i++) {
      const reply = await invoke(Channels.stream, [`evil-${i}`, 'build.run', params]);
      expect(reply.ok).toBe(false);
      expect(JSON.stringify(reply)).toContain('refusing path that escapes the root: ../escape.txt');
    }
    // Let anything raised after the reply land, then ask again.
    await new Promise((r) => setTimeout(r, 200));
    expect(await invoke(Channels.invoke, ['app.info', {}])).toMatchObject({ ok: true, value: { host: 'electron' } });
    expect(exited).toBeUndefined();
  });
});
