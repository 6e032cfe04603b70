import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { UsageError } from '../args.ts';
import { StrataError } from '../../../shared/errors.ts';

/** dockerd's --tlsverify --tlscacert --tlscert --tlskey: TCP is never served without client certificates. */
function serviceTls(ctx: CommandContext, refusal: string): { ca: string; cert: string; key: string } {
  const files = { ca: flagString(ctx, 'tlscacert'), cert: flagString(ctx, 'tlscert'), key: flagString(ctx, 'tlskey') };
  if (!flagBool(ctx, 'tlsverify') || !files.ca || !files.cert || !files.key) throw new StrataError('unsupported', refusal);
  const read = (flag: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new StrataError('invalid', `could not read ${flag} ${path}: ${(err as Error).message}`);
    }
  };
  return { ca: read('--tlscacert', files.ca), cert: read('--tlscert', files.cert), key: read('--tlskey', files.key) };
}

/**
 * `strata system service`: serves the Docker Engine API on a unix socket (podman's verb), so the
 * docker CLI, compose and SDKs drive this store. `--time` is the idle timeout (0: never exit).
 */
export const systemServiceCommand: Command = {
  path: ['system', 'service'],
  usage: 'strata system service [OPTIONS] [URI]',
  description: 'Serve the Docker Engine API on a unix socket (or tcp:// with TLS client certificates)',
  flags: [
    { name: 'time', short: 't', type: 'string', value: 'seconds', description: 'Time until the service exits when idle; 0 never (default 0)' },
    { name: 'log-level', type: 'string', value: 'string', description: 'Log messages above specified level (debug, info, warn, error) (default "warn")' },
    { name: 'tlsverify', type: 'bool', description: 'Use TLS and require client certificates signed by --tlscacert (needed for tcp://)' },
    { name: 'tlscacert', type: 'string', value: 'string', description: 'Trust client certificates signed by this CA' },
    { name: 'tlscert', type: 'string', value: 'string', description: 'Path to the TLS certificate file' },
    { name: 'tlskey', type: 'string', value: 'string', description: 'Path to the TLS key file' },
  ],
  maxArgs: 1,
  async run(ctx) {
    const timeFlag = flagString(ctx, 'time') ?? '0';
    const idleSeconds = Number(timeFlag);
    if (!Number.isFinite(idleSeconds) || idleSeconds < 0) throw new UsageError(`invalid argument "${timeFlag}" for "-t, --time" flag`);
    const engine = ctx.engine();
    // Loaded here: every other command starts faster without the service's modules.
    const { createApiServer, defaultSocketPath, listenUnix, socketPathOf, tcpAddressOf, TCP_NEEDS_TLS } = await import('../../api-server/server.ts');
    const uri = ctx.args[0];
    const tcp = uri?.startsWith('tcp://') ? tcpAddressOf(uri) : undefined;
    const tls = tcp ? serviceTls(ctx, TCP_NEEDS_TLS) : undefined;
    const path = tcp ? '' : uri ? socketPathOf(uri) : defaultSocketPath();
    let idle: NodeJS.Timeout | undefined;
    const done = new AbortController();
    const open = new Set<unknown>();
    const armIdle = (): void => {
      if (idleSeconds === 0) return;
      clearTimeout(idle);
      if (open.size === 0) idle = setTimeout(() => done.abort(), idleSeconds * 1000);
    };
    const debug = flagString(ctx, 'log-level') === 'debug';
    const server = createApiServer(engine, {
      onActivity: armIdle, ...(tls ? { tls } : {}), ...(debug ? { log: (line: string) => ctx.stderr.write(`${new Date().toISOString()} ${line}\n`) } : {}),
    });
    server.on('connection', (socket) => {
      open.add(socket);
      clearTimeout(idle);
      socket.once('close', () => {
        open.delete(socket);
        armIdle();
      });
    });
    let listening: string;
    if (tcp) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(tcp.port, tcp.host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      listening = `tcp://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    } else {
      await listenUnix(server, path);
      listening = `unix://${path}`;
    }
    ctx.stderr.write(`API service listening on "${listening}". URI: "${listening}"\n`);
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
