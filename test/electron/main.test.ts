/**
 * The Electron main process without an Electron binary: the built bundle (electron-vite build)
 * runs in Node with `electron` resolved to a stand-in (electron-stand-in.ts) that records what
 * main does and lets the test act as the renderer, the OS keychain and the user. The real
 * `_electron` launch (e2e/electron.ts) runs where a binary is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { Channels } from '../../src/shared/contract.ts';
import { requestValidators, streamValidators } from '../../src/shared/validate.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { saveImages, selectImages } from '../../src/main/engine/archive/save.ts';
import { Snapshotter } from '../../src/main/engine/snapshot/snapshotter.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';

interface WindowState {
  options: { webPreferences: Record<string, unknown> } & Record<string, unknown>;
  loaded: { file?: string; url?: string };
  contentsListeners: string[];
  hasWindowOpenHandler: boolean;
}
interface MainState {
  windows: WindowState[];
  handled: string[];
  listened: string[];
  appEvents: string[];
  menu: { template: Array<{ role?: string; label?: string }> } | undefined;
  opened: string[];
  quitCalls: number;
  calls: Array<{ api: string; args: unknown[] }>;
}
interface Envelope { ok: boolean; value?: unknown; error?: { message: string; code: string } }
interface Frame { url: string; top: boolean }

const tmp = tempDir('strata-electron-main-');
let outDir: string;
let main: ChildProcess;
let stderr = '';
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

/** One request to the stand-in inside the main process (see electron-stand-in.ts for the ops). */
function ask<T>(op: string, fields: Record<string, unknown> = {}): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    main.send({ id, op, ...fields });
  });
}

const ownPage = (): Frame => ({ url: `file://${join(outDir, 'renderer', 'index.html')}`, top: true });
const invoke = (name: string, params: unknown, frame: Frame = ownPage()) => ask<Envelope>('invoke', { channel: Channels.invoke, frame, args: [name, params] });
/** Main's answer to a frame it does not trust (the message is what matters; the code follows the error model). */
const REFUSED = { ok: false, error: { message: 'request from an untrusted frame' } };

beforeAll(async () => {
  // A build of its own, never the shared out/; node_modules beside it, where the bundle looks.
  const app = join(tmp.path, 'app');
  mkdirSync(app);
  symlinkSync(join(repoRoot, 'node_modules'), join(app, 'node_modules'));
  outDir = join(app, 'out');
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`electron-vite build failed: ${build.stderr}`);
  // Snapshots made ahead on: the one load in this file is the test of that (the others load nothing).
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_ROOT: join(tmp.path, 'store'), STRATA_STAND_IN_USER_DATA: join(tmp.path, 'user-data'), STRATA_PREPARE_SNAPSHOTS: '1' };
  delete env.ELECTRON_RENDERER_URL;
  main = fork(join(outDir, 'main', 'index.js'), [], {
    execArgv: ['--no-warnings=ExperimentalWarning', '--import', join(repoRoot, 'test', 'electron', 'use-stand-in.ts')],
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  main.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  main.on('message', (msg: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error !== undefined) p?.reject(new Error(msg.error));
    else p?.resolve(msg.value);
  });
  main.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`main exited with ${code}: ${stderr}`));
  });
  // Main is up once its window exists and the contract's channels are handled.
  for (let waited = 0; (await ask<MainState>('state')).windows.length === 0; waited += 50) {
    if (waited > 30_000) throw new Error(`main opened no window: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 180_000);

afterAll(() => {
  main?.kill('SIGTERM');
  tmp.cleanup();
});

describe('Electron main (built bundle, stand-in electron)', () => {
  it('opens one window: isolated, sandboxed, no Node, our preload and our page', async () => {
    const { windows } = await ask<MainState>('state');
    const prefs = windows[0]!.options.webPreferences;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.webSecurity).not.toBe(false);
    const preload = prefs.preload as string;
    expect(isAbsolute(preload)).toBe(true);
    expect(existsSync(preload), preload).toBe(true);
    expect(windows[0]!.loaded).toEqual({ file: join(outDir, 'renderer', 'index.html') });
    expect(existsSync(windows[0]!.loaded.file!)).toBe(true);
  });

  it('the preload bundle requires only electron and exposes exactly the contract transport', async () => {
    const { windows } = await ask<MainState>('state');
    const code = readFileSync(windows[0]!.options.webPreferences.preload as string, 'utf8');
    const required = new Set([...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]));
    expect([...required]).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*import\s/m);
    // Run it as a sandboxed preload runs: a CommonJS module whose require knows only `electron`.
    const exposed: Record<string, unknown> = {};
    const rendererCalls: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } },
      ipcRenderer: {
        invoke: (...args: unknown[]) => { rendererCalls.push(['invoke', ...args]); return Promise.resolve({ ok: true, value: null }); },
        send: (...args: unknown[]) => { rendererCalls.push(['send', ...args]); },
        on: (...args: unknown[]) => { rendererCalls.push(['on', args[0]]); },
        off: (...args: unknown[]) => { rendererCalls.push(['off', args[0]]); },
      },
    };
    const module = { exports: {} };
    runInNewContext(code, {
      module, exports: module.exports,
      require: (id: string) => {
        if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
        return electron;
      },
    });
    expect(Object.keys(exposed)).toEqual(['strata']);
    const transport = exposed.strata as Record<string, (...a: unknown[]) => unknown>;
    expect(transport.host).toBe('electron');
    await transport.invoke!('images.list', {});
    await transport.streamOpen!('s1', 'build.run', { path: '/x' });
    transport.streamCancel!('s1');
    transport.streamInput!('s1', 'ls\n');
    const off = transport.onPush!(() => {}) as () => void;
    off();
    expect(rendererCalls).toEqual([
      ['invoke', Channels.invoke, 'images.list', {}],
      ['invoke', Channels.stream, 's1', 'build.run', { path: '/x' }],
      ['send', Channels.cancel, 's1'],
      ['send', Channels.input, 's1', 'ls\n'],
      ['on', Channels.push],
      ['off', Channels.push],
    ]);
  });

  it('blocks navigation, redirects, webviews and new windows; https links go to the system browser', async () => {
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      expect(await ask('contents-event', { window: 0, event, url: 'https://example.com/' }), event).toEqual({ defaultPrevented: true });
    }
    expect(await ask('window-open', { window: 0, url: 'https://docs.docker.com/' })).toEqual({ action: 'deny' });
    expect(await ask('window-open', { window: 0, url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(await ask('window-open', { window: 0, url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect((await ask<MainState>('state')).opened).toEqual(['https://docs.docker.com/']);
  });

  it('hardens every other webContents too (app web-contents-created)', async () => {
    const fresh = await ask<{ listeners: string[]; hasWindowOpenHandler: boolean }>('new-contents');
    expect(fresh.listeners).toEqual(expect.arrayContaining(['will-navigate', 'will-redirect', 'will-attach-webview']));
    expect(fresh.hasWindowOpenHandler).toBe(true);
    expect(await ask('contents-event', { window: -1, event: 'will-navigate', url: 'https://evil.example/' })).toEqual({ defaultPrevented: true });
  });

  it('answers every request of the contract through ipcMain.handle', async () => {
    const state = await ask<MainState>('state');
    expect(state.handled.sort()).toEqual([Channels.invoke, Channels.stream].sort());
    expect(state.listened.sort()).toEqual([Channels.cancel, Channels.input].sort());
    // The names the contract declares (src/shared/contract.ts) are the names the validator knows.
    const contract = readFileSync(join(repoRoot, 'src', 'shared', 'contract.ts'), 'utf8');
    const block = /export interface Requests \{([\s\S]*?)\n\}/.exec(contract)![1]!;
    const declared = [...block.matchAll(/^\s+'([\w.]+)':/gm)].map((m) => m[1]!).sort();
    const names = Object.keys(requestValidators).sort();
    expect(names).toEqual(declared);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const reply = await invoke(name, {});
      expect(typeof reply.ok, name).toBe('boolean');
      expect(reply.error?.message ?? '', name).not.toBe(REFUSED.error.message);
      if (!reply.ok) expect(reply.error!.message, name).not.toMatch(/^unknown request/);
    }
    // The handlers are main's: its host name and app version, the real engine on the given store.
    expect(await invoke('app.info', {})).toMatchObject({ ok: true, value: { host: 'electron', version: '0.0.0-stand-in' } });
    expect(await invoke('images.list', {})).toEqual({ ok: true, value: [] });
    expect(await invoke('dialog.openFolder', { title: 'Build context' })).toEqual({ ok: true, value: { canceled: true } });
    expect((await ask<MainState>('state')).calls.some((c) => c.api === 'dialog.showOpenDialog')).toBe(true);
    expect(await invoke('fs.readAnything', {})).toMatchObject({ ok: false, error: { message: 'unknown request "fs.readAnything"' } });
    const stream = await ask<Envelope>('invoke', { channel: Channels.stream, frame: ownPage(), args: ['s-1', 'no.such.stream', {}] });
    expect(stream).toMatchObject({ ok: false, error: { message: 'unknown stream "no.such.stream"' } });
    expect(Object.keys(streamValidators).length).toBeGreaterThan(0);
  });

  it('refuses requests from a subframe or from any page but its own', async () => {
    const page = ownPage();
    const frames: Frame[] = [
      { url: page.url, top: false },
      { url: 'https://evil.example/', top: true },
      { url: 'http://localhost:5173/', top: true },
      { url: '', top: true },
    ];
    for (const frame of frames) {
      expect(await invoke('app.info', {}, frame), JSON.stringify(frame)).toMatchObject(REFUSED);
      expect(await ask('invoke', { channel: Channels.stream, frame, args: ['s-2', 'build.run', {}] }), JSON.stringify(frame)).toMatchObject(REFUSED);
    }
    expect((await invoke('app.info', {}, page)).ok).toBe(true);
  });

  it('refuses to store registry secrets with safeStorage\'s basic_text backend or no keychain', async () => {
    const logins = async () => ((await invoke('registry.logins', {})).value as { storage: string; unavailable?: string });
    await ask('safe-storage', { available: true, backend: 'gnome_libsecret' });
    expect(await logins()).not.toHaveProperty('unavailable');
    expect((await logins()).storage).toBe('sealed');

    await ask('safe-storage', { available: true, backend: 'basic_text' });
    expect((await logins()).unavailable).toMatch(/^cannot store registry credentials: no system keychain/);
    const login = await invoke('registry.login', { registry: '127.0.0.1:1', username: 'u', password: 'secret-pw' });
    expect(login.ok).toBe(false);
    expect(login.error!.code).toBe('unsupported');
    expect(login.error!.message).toMatch(/Strata does not store secrets in plain text/);
    expect(JSON.stringify(login)).not.toContain('secret-pw');

    await ask('safe-storage', { available: false, backend: 'gnome_libsecret' });
    expect((await logins()).unavailable).toMatch(/no system keychain/);
    expect((await ask<MainState>('state')).calls.some((c) => c.api === 'safeStorage.encryptString')).toBe(false);
    await ask('safe-storage', { available: true, backend: 'gnome_libsecret' });
  });

  it.skipIf(sandboxUnavailable())(`a load unpacks the image in the background, through the bundle's own preparer${sandboxUnavailable() ? ` [skipped: ${sandboxUnavailable()}]` : ''}`, async () => {
    const source = Engine.open({ root: join(tmp.path, 'source') });
    const archive = join(tmp.path, 'ahead.tar');
    try {
      const layer = join(tmp.path, 'ahead-layer.tar');
      await writeTar(layer, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/ahead', content: 'made ahead\n' }]);
      await storeImage(source, [layer], { tags: ['ahead:1'] });
      await saveImages(source, selectImages(source, ['ahead:1']), createWriteStream(archive));
    } finally {
      source.close();
    }
    expect(await ask('invoke', { channel: Channels.stream, frame: ownPage(), args: ['s-3', 'images.load', { path: archive }] })).toEqual({ ok: true, value: { loaded: ['ahead:1'] } });
    const store = Engine.open({ root: join(tmp.path, 'store') });
    try {
      const snapshot = new Snapshotter(store).dirOf(store.images.layers(store.images.resolve('ahead:1'))[0]!.chainId);
      // Published by a rename once whole; then its marker goes (the preparer is done with the store).
      for (let waited = 0; !existsSync(snapshot) || readdirSync(dirname(snapshot)).some((n) => n !== 'fs'); waited += 50) {
        if (waited > 60_000) throw new Error(`no snapshot made ahead: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(readFileSync(join(snapshot, 'etc', 'ahead'), 'utf8')).toBe('made ahead\n');
    } finally {
      store.close();
    }
  });

  it('sets the application menu and quits when the last window closes (not on macOS)', async () => {
    const state = await ask<MainState>('state');
    expect(state.menu?.template.map((m) => m.role ?? m.label)).toEqual(['fileMenu', 'editMenu', 'View', 'windowMenu']);
    expect(state.appEvents).toEqual(expect.arrayContaining(['web-contents-created', 'activate', 'window-all-closed', 'will-quit']));
    expect(await ask('app-event', { event: 'window-all-closed' })).toEqual({ quitCalls: 1 });
    expect(stderr).toBe('');
  });
});
