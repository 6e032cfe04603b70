import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { WsReply } from '../../src/shared/client.ts';
import { repoRoot } from '../paths.ts';

/** A real `strata ui` process, its printed URL, and the session cookie its first visit sets. */
export interface UiHost {
  proc: ChildProcess;
  url: URL;
  port: string;
  token: string;
  /** `name=value` as a browser would send it back. */
  cookie: string;
  /** The redirect's Location after the token visit. */
  location: string;
  /** What the host printed on stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startUi(root: string): Promise<UiHost> {
  const proc = spawn(join(repoRoot, 'bin', 'strata'), ['ui', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const printed = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Open (http\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', () => reject(new Error(`strata ui exited: ${err}`)));
  });
  const url = new URL(printed);
  const first = await request(url.href);
  return {
    proc, url, port: url.port, token: url.searchParams.get('token') ?? '',
    cookie: (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!,
    location: String(first.headers.location ?? ''),
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A plain HTTP GET with exactly these headers (Host included: node's fetch would not let us set it). */
export function request(href: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    get(href, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** Opens the host's WebSocket the way the page does; rejects with `HTTP <status>` when refused. */
export function connect(host: UiHost, options: { token?: string; headers?: Record<string, string> } = {}): Promise<WebSocket> {
  const token = options.token ?? host.token;
  const headers = { origin: `http://127.0.0.1:${host.port}`, cookie: host.cookie, ...options.headers };
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${token ? `?token=${token}` : ''}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Sends one message and resolves with its reply (pushes go to onPush); rejects if the socket closes first. */
export function call(ws: WebSocket, msg: object, onPush?: (m: WsReply) => void): Promise<WsReply & { t: 'reply' }> {
  return new Promise((resolve, reject) => {
    const listener = (raw: Buffer): void => {
      const reply = JSON.parse(raw.toString()) as WsReply;
      if (reply.t === 'reply') {
        ws.off('message', listener);
        resolve(reply);
      } else onPush?.(reply);
    };
    ws.on('message', listener);
    ws.once('close', () => reject(new Error('the host closed the connection')));
    ws.send(JSON.stringify(msg));
  });
}
