import type { Command } from '../command.ts';
import { flagString } from '../command.ts';
import { UsageError } from '../args.ts';

/**
 * `strata system service`: serves the Docker Engine API on a unix socket (podman's verb), so the
 * docker CLI, compose and SDKs drive this store. `--time` is the idle timeout (0: never exit).
 */
export const systemServiceCommand: Command = {
  path: ['system', 'service'],
  usage: 'strata system service [OPTIONS] [URI]',
  description: 'Serve the Docker Engine API on a unix socket',
  flags: [
    { name: 'time', short: 't', type: 'string', value: 'seconds', description: 'Time until the service exits when idle; 0 never (default 0)' },
    { name: 'log-level', type: 'string', value: 'string', description: 'Log messages above specified level (debug, info, warn, error) (default "warn")' },
  ],
  maxArgs: 1,
  async run(ctx) {
    const timeFlag = flagString(ctx, 'time') ?? '0';
    const idleSeconds = Number(timeFlag);
    if (!Number.isFinite(idleSeconds) || idleSeconds < 0) throw new UsageError(`invalid argument "${timeFlag}" for "-t, --time" flag`);
    const engine = ctx.engine();
    // Loaded here: every other command starts faster without the service's modules.
    const { createApiServer, defaultSocketPath, listenUnix, socketPathOf } = await import('../../api-server/server.ts');
    const path = ctx.args[0] ? socketPathOf(ctx.args[0]) : defaultSocketPath();
    let idle: NodeJS.Timeout | undefined;
    const done = new AbortController();
    const open = new Set<unknown>();
    const armIdle = (): void => {
      if (idleSeconds === 0) return;
      clearTimeout(idle);
      if (open.size === 0) idle = setTimeout(() => done.abort(), idleSeconds * 1000);
    };
    const debug = flagString(ctx, 'log-level') === 'debug';
    const server = createApiServer(engine, { onActivity: armIdle, ...(debug ? { log: (line: string) => ctx.stderr.write(`${new Date().toISOString()} ${line}\n`) } : {}) });
    server.on('connection', (socket) => {
      open.add(socket);
      clearTimeout(idle);
      socket.once('close', () => {
        open.delete(socket);
        armIdle();
      });
    });
    await listenUnix(server, path);
    ctx.stderr.write(`API service listening on "unix://${path}". URI: "unix://${path}"\n`);
    armIdle();
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', stop, { once: true });
      done.signal.addEventListener('abort', stop, { once: true });
    });
    clearTimeout(idle);
    server.close();
    server.closeAllConnections();
  },
};
