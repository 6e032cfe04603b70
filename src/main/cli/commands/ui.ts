import { spawn } from 'node:child_process';
import type { Command } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { Engine } from '../../engine/engine.ts';
import { StrataError } from '../../../shared/errors.ts';

/** The platform's "open this URL in the default browser" command, or undefined with no display to show one. */
export function browserOpener(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] | undefined {
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', url] : undefined;
}

/** Opens the URL in the default browser, detached; a missing opener is not an error (the URL is printed). */
function openInBrowser(argv: string[]): void {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}

/**
 * `strata ui`: the desktop app's views in a browser, for headless boxes and the end-to-end tests.
 * Serves the built renderer on 127.0.0.1 and prints the URL with its access token.
 */
export const uiCommand: Command = {
  path: ['ui'],
  usage: 'strata ui [--port N] [--root DIR] [--no-open]',
  description: 'Serve the Strata UI to a local browser (127.0.0.1 only)',
  flags: [
    { name: 'port', type: 'string', value: 'N', description: 'Port to listen on (default: a free port)' },
    { name: 'root', type: 'string', value: 'DIR', description: 'Store directory (same as the global --root)' },
    { name: 'renderer', type: 'string', value: 'DIR', description: 'Built renderer to serve (default: out/renderer)' },
    { name: 'no-open', type: 'bool', description: 'Do not open the default browser (it is not opened without a display either)' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const portFlag = flagString(ctx, 'port');
    const port = portFlag === undefined ? 0 : Number(portFlag);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StrataError('invalid', `invalid port: ${portFlag}`);
    const rootFlag = flagString(ctx, 'root');
    const engine = rootFlag ? Engine.open({ root: rootFlag }) : ctx.engine();
    const renderer = flagString(ctx, 'renderer');
    // Loaded here, not at the top: every other command starts faster without the host's modules.
    // The Engine API client too (the sidebar lists the engines at once): loaded before the page asks, not while it waits.
    const [{ createHandlers }, { startBrowserHost }, { keepServing }] = await Promise.all([
      import('../../host/handlers.ts'), import('../../host/server.ts'), import('../../host/last-resort.ts'), import('../../providers/engine-api/provider.ts'),
    ]);
    // A long-running host: an error no handler caught is logged, and the other tabs keep working.
    keepServing('strata ui');
    const handlers = createHandlers(engine, { host: 'browser' });
    const host = await startBrowserHost(handlers, { port, ...(renderer ? { rendererDir: renderer } : {}) });
    ctx.stdout.write(`Strata UI for ${engine.root}\nOpen ${host.url}\n`);
    const opener = flagBool(ctx, 'no-open') ? undefined : browserOpener(host.url);
    if (opener) openInBrowser(opener);
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) done();
      ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
    await host.close();
    handlers.close();
    // Daemonless: containers started from the UI run in this process, so they end with it.
    for (const c of engine.containers.list()) {
      if (engine.containers.attach(c.id)) await engine.containers.kill(c.id);
    }
    if (rootFlag) engine.close();
  },
};
