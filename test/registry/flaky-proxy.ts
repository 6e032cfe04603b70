import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyProxy {
  host: string;
  /** Requests cut so far, as `METHOD path`. */
  cut: string[];
  stop(): Promise<void>;
}

/**
 * A pass-through proxy in front of a real registry that breaks the connection of the first
 * `times` requests matching `when` after `afterBytes` of their body went through — an upload
 * that dies half-way, with part of it already in the registry.
 */
export async function startFlakyProxy(
  upstream: string, when: (req: http.IncomingMessage) => boolean, options: { times?: number; afterBytes?: number } = {},
): Promise<FlakyProxy> {
  let left = options.times ?? 1;
  const afterBytes = options.afterBytes ?? 64 * 1024;
  const cut: string[] = [];
  const server = http.createServer((req, res) => {
    const [host, port] = upstream.split(':');
    const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    if (left > 0 && when(req)) {
      left--;
      cut.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        if (seen >= afterBytes) return;
        const take = chunk.subarray(0, afterBytes - seen);
        seen += take.length;
        up.write(take);
        if (seen >= afterBytes) {
          // Let the registry take what it got, then drop both sides.
          up.end();
          req.socket.destroy();
        }
      });
      return;
    }
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
