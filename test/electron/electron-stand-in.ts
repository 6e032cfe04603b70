/**
 * A stand-in for the `electron` module, so the built main process (out/main/index.js) runs in
 * plain Node where no Electron binary can be installed. It provides what main uses (app,
 * BrowserWindow, ipcMain, dialog, safeStorage, Menu, shell, session, webContents), records what
 * main does with them, and answers the test over the process's IPC channel (fork):
 *
 *   { id, op: 'state' }                                  → windows, IPC registrations, menu, app events
 *   { id, op: 'invoke', channel, frame, args }           → runs main's ipcMain.handle handler as a renderer frame would
 *   { id, op: 'send', channel, frame, args }             → runs main's ipcMain.on listener
 *   { id, op: 'contents-event', window, event, url }     → emits will-navigate & co. on a window's webContents
 *   { id, op: 'window-open', window, url }               → asks the window-open handler
 *   { id, op: 'new-contents' }                           → app 'web-contents-created' with fresh webContents
 *   { id, op: 'safe-storage', available, backend }       → what the OS keychain reports from now on
 *   { id, op: 'app-event', event }                       → emits an app event (window-all-closed, will-quit)
 *
 * Every reply is `{ id, value }` or `{ id, error }`.
 */
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;
interface Frame { url: string; top: boolean }

const calls: Array<{ api: string; args: unknown[] }> = [];
const record = (api: string, ...args: unknown[]): void => {
  calls.push({ api, args: structuredClone(args.filter((a) => typeof a !== 'function' && !(a instanceof FakeBrowserWindow))) });
};

let nextContentsId = 1;
class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  windowOpenHandler: Listener | undefined;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return false;
  }
}

const windows: FakeBrowserWindow[] = [];
class FakeBrowserWindow extends EventEmitter {
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  loaded: { file?: string; url?: string } = {};
  shown = false;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    windows.push(this);
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return [...windows];
  }
  loadFile(file: string): Promise<void> {
    this.loaded = { file };
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.loaded = { url };
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
}

const handlers = new Map<string, Listener>();
const listeners = new Map<string, Listener>();
export const ipcMain = {
  handle(channel: string, fn: Listener): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, fn);
  },
  on(channel: string, fn: Listener): void {
    listeners.set(channel, fn);
  },
};

const appEvents = new EventEmitter();
let quitCalls = 0;
export const app = {
  whenReady: (): Promise<void> => Promise.resolve(),
  requestSingleInstanceLock: (): boolean => true,
  getVersion: (): string => '0.0.0-stand-in',
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`getPath(${name}) is not part of the stand-in`);
    return process.env.STRATA_STAND_IN_USER_DATA ?? '/nonexistent';
  },
  on(event: string, fn: Listener): unknown {
    appEvents.on(event, fn);
    return app;
  },
  quit(): void {
    quitCalls++;
  },
};

export const dialog = {
  showOpenDialog: (...args: unknown[]) => {
    record('dialog.showOpenDialog', ...args);
    return Promise.resolve({ canceled: true, filePaths: [] });
  },
  showSaveDialog: (...args: unknown[]) => {
    record('dialog.showSaveDialog', ...args);
    return Promise.resolve({ canceled: true });
  },
};

/** What the OS keychain reports; a test changes it with the `safe-storage` op. */
const keychain = { available: true, backend: 'gnome_libsecret' };
export const safeStorage = {
  isEncryptionAvailable: (): boolean => keychain.available,
  getSelectedStorageBackend: (): string => keychain.backend,
  encryptString(plain: string): Buffer {
    record('safeStorage.encryptString');
    return Buffer.from(`sealed:${Buffer.from(plain).toString('base64')}`);
  },
  decryptString(sealed: Buffer): string {
    return Buffer.from(sealed.toString().replace(/^sealed:/, ''), 'base64').toString();
  },
};

let applicationMenu: unknown;
export const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu(menu: unknown): void {
    applicationMenu = menu;
  },
};

const opened: string[] = [];
export const shell = {
  openExternal(url: string): Promise<void> {
    opened.push(url);
    return Promise.resolve();
  },
};

export const session = { defaultSession: { setPermissionRequestHandler: (fn: Listener) => record('session.setPermissionRequestHandler', typeof fn) } };
export const webContents = { getAllWebContents: () => windows.map((w) => w.webContents) };
export const BrowserWindow = FakeBrowserWindow;
export default { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, session, shell, webContents };

/** A renderer's IPC event as Electron builds it: the sender's webContents and frame. */
function ipcEvent(contents: FakeWebContents, frame: Frame) {
  return { sender: contents, senderFrame: { url: frame.url, parent: frame.top ? null : { url: 'file:///parent' } } };
}

/** A navigation-style event whose preventDefault the test can observe. */
function cancellable(url: string) {
  const e = { url, defaultPrevented: false, preventDefault: () => { e.defaultPrevented = true; } };
  return e;
}

function state() {
  return {
    windows: windows.map((w) => ({
      options: w.options,
      loaded: w.loaded,
      contentsListeners: w.webContents.eventNames().map(String),
      hasWindowOpenHandler: w.webContents.windowOpenHandler !== undefined,
      sent: w.webContents.sent,
    })),
    handled: [...handlers.keys()],
    listened: [...listeners.keys()],
    appEvents: appEvents.eventNames().map(String),
    menu: applicationMenu,
    opened,
    quitCalls,
    calls,
  };
}

interface Command { id: number; op: string; channel?: string; frame?: Frame; args?: unknown[]; window?: number; event?: string; url?: string; available?: boolean; backend?: string }

const extraContents: FakeWebContents[] = [];
async function run(cmd: Command): Promise<unknown> {
  const contents = windows[cmd.window ?? 0]?.webContents;
  switch (cmd.op) {
    case 'state':
      return state();
    case 'invoke': {
      const fn = handlers.get(cmd.channel!);
      if (!fn) throw new Error(`no ipcMain.handle for ${cmd.channel}`);
      return await fn(ipcEvent(contents!, cmd.frame!), ...(cmd.args ?? []));
    }
    case 'send': {
      const fn = listeners.get(cmd.channel!);
      if (!fn) throw new Error(`no ipcMain.on for ${cmd.channel}`);
      fn(ipcEvent(contents!, cmd.frame!), ...(cmd.args ?? []));
      return null;
    }
    case 'contents-event': {
      const target = cmd.window === -1 ? extraContents.at(-1)! : contents!;
      const e = cancellable(cmd.url ?? '');
      target.emit(cmd.event!, e, cmd.url);
      return { defaultPrevented: e.defaultPrevented };
    }
    case 'window-open':
      return contents!.windowOpenHandler?.({ url: cmd.url, frameName: '', features: '', disposition: 'new-window' });
    case 'new-contents': {
      const fresh = new FakeWebContents();
      extraContents.push(fresh);
      appEvents.emit('web-contents-created', {}, fresh);
      return { listeners: fresh.eventNames().map(String), hasWindowOpenHandler: fresh.windowOpenHandler !== undefined };
    }
    case 'safe-storage':
      keychain.available = cmd.available ?? keychain.available;
      keychain.backend = cmd.backend ?? keychain.backend;
      return null;
    case 'app-event':
      appEvents.emit(cmd.event!, {});
      return { quitCalls };
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

process.on('message', (cmd: Command) => {
  run(cmd).then(
    (value) => process.send!({ id: cmd.id, value: value ?? null }),
    (err: unknown) => process.send!({ id: cmd.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
