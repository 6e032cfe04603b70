/**
 * Electron main, kept thin: one secure window, native dialogs and the menu. The engine runs here
 * and answers the contract through the same handlers the browser host uses; a HostSession per
 * window turns ipcMain messages into handler calls and pushes change and stream events back.
 * The only file besides the preload that imports electron.
 */
import {
  app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, shell,
  type IpcMainEvent, type IpcMainInvokeEvent, type MenuItemConstructorOptions, type WebContents,
} from 'electron';
import { join } from 'node:path';
import { Engine } from './engine/engine.ts';
import { defaultRoot } from './engine/paths.ts';
import { createHandlers, type Dialogs, type Handlers } from './host/handlers.ts';
import { errorInfo, HostSession } from './host/session.ts';
import { SealedCredentialStore, type Sealer } from './engine/registry/sealed-credentials.ts';
import { Channels, type Envelope } from '../shared/contract.ts';
import { keepServing } from './host/last-resort.ts';
import { StrataError } from '../shared/errors.ts';

const sessions = new Map<number, HostSession>();

function dialogsFor(getWindow: () => BrowserWindow | undefined): Dialogs {
  const pick = async (options: Electron.OpenDialogOptions) => {
    const win = getWindow();
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled || !r.filePaths[0] ? { canceled: true } : { canceled: false, path: r.filePaths[0] };
  };
  return {
    openFolder: (title) => pick({ title, properties: ['openDirectory'] }),
    openFile: (title) => pick({ title, properties: ['openFile'], filters: [{ name: 'Image archives', extensions: ['tar', 'gz', 'tgz', 'zst'] }, { name: 'All files', extensions: ['*'] }] }),
    async saveFile(title, defaultName) {
      const win = getWindow();
      const options = { title, defaultPath: defaultName, filters: [{ name: 'Image archives', extensions: ['tar'] }] };
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? { canceled: true } : { canceled: false, path: r.filePath };
    },
  };
}

/**
 * Why registry secrets cannot be sealed here: no OS keychain, or (Linux) safeStorage's
 * `basic_text` fallback, which encrypts with a fixed key and so is plain text in disguise.
 */
function keychainUnavailable(): string | undefined {
  const reason = 'cannot store registry credentials: no system keychain is available to encrypt them (Electron safeStorage); Strata does not store secrets in plain text';
  if (!safeStorage.isEncryptionAvailable()) return reason;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return reason;
  return undefined;
}

/** Electron's safeStorage as the registry credentials' sealer; refuses rather than store in clear. */
const safeStorageSealer: Sealer = {
  encrypt(plain) {
    const reason = keychainUnavailable();
    if (reason) throw new StrataError('unavailable', reason);
    return safeStorage.encryptString(plain);
  },
  decrypt: (sealed) => safeStorage.decryptString(sealed),
};

function sessionFor(contents: WebContents, handlers: Handlers): HostSession {
  let s = sessions.get(contents.id);
  if (!s) {
    s = new HostSession(handlers, (msg) => {
      if (!contents.isDestroyed()) contents.send(Channels.push, msg);
    });
    sessions.set(contents.id, s);
    contents.once('destroyed', () => {
      s!.dispose();
      sessions.delete(contents.id);
    });
  }
  return s;
}

/** Only our own page (the packaged file, or the dev server in development) may talk to the engine. */
function trusted(e: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? '';
  const dev = process.env.ELECTRON_RENDERER_URL;
  return e.senderFrame?.parent === null && (url.startsWith('file://') || (dev !== undefined && url.startsWith(dev)));
}

function harden(contents: WebContents): void {
  // The app never navigates and never opens windows; links to the web go to the system browser.
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

function menu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' },
        { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    title: 'Strata',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  harden(win.webContents);
  win.once('ready-to-show', () => win.show());
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  const engine = Engine.open({ root: process.env.STRATA_ROOT ?? defaultRoot() });
  let mainWindow: BrowserWindow | undefined;
  const handlers = createHandlers(engine, {
    host: 'electron',
    version: app.getVersion(),
    dialogs: dialogsFor(() => mainWindow),
    credentials: new SealedCredentialStore(join(app.getPath('userData'), 'registry-credentials.json'), safeStorageSealer),
    credentialsUnavailable: keychainUnavailable,
  });
  const refused = { ok: false, error: { message: 'request from an untrusted frame', code: 'invalid' } } as const;
  // Every channel answers in an envelope or stays silent: nothing a renderer sends can throw out of main.
  const answer = async (e: IpcMainInvokeEvent, run: (s: HostSession) => Promise<Envelope<unknown>>): Promise<Envelope<unknown>> => {
    try {
      return trusted(e) ? await run(sessionFor(e.sender, handlers)) : refused;
    } catch (err) {
      return { ok: false, error: errorInfo(err) };
    }
  };
  const quietly = (e: IpcMainEvent, run: (s: HostSession) => void): void => {
    try {
      if (trusted(e)) run(sessionFor(e.sender, handlers));
    } catch (err) {
      console.error(`strata: ${errorInfo(err).message}`);
    }
  };
  ipcMain.handle(Channels.invoke, (e, name: unknown, params: unknown) => answer(e, (s) => s.invoke(name, params)));
  ipcMain.handle(Channels.stream, (e, id: unknown, name: unknown, params: unknown) => answer(e, (s) => s.stream(id, name, params)));
  ipcMain.on(Channels.cancel, (e, id: unknown) => quietly(e, (s) => s.cancel(id)));
  ipcMain.on(Channels.input, (e, id: unknown, data: unknown) => quietly(e, (s) => s.input(id, data)));
  app.on('web-contents-created', (_e, contents) => harden(contents));
  menu();
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    handlers.close();
    engine.close();
  });
}

// The desktop app's main process holds every window: an error nothing caught is logged, not fatal.
keepServing('strata', (line) => console.error(line));
if (!app.requestSingleInstanceLock()) app.quit();
else start().catch((err: unknown) => {
  console.error(`strata: cannot start: ${errorInfo(err).message}`);
  app.exit(1);
});
