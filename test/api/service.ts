/**
 * Test fixture: a real `strata system service` process on a private socket over a store, and the
 * docker CLI (Debian docker.io's, API 1.41) pointed at it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { repoRoot } from '../paths.ts';

export const DOCKER_CLI = ['/usr/bin/docker', '/usr/local/bin/docker'].find((p) => existsSync(p));


/** The newer docker CLI some machine images carry beside Debian's (client only). */
export const NEWER_CLI = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : undefined;

export function dockerCliMissing(): string | undefined {
  return DOCKER_CLI ? undefined : 'no docker CLI is installed (apt-get install docker.io)';
}

export interface Service {
  socket: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `strata --root ROOT system service unix://SOCKET` and waits until /_ping answers. */
export async function startService(root: string, runtimeDir: string): Promise<Service> {
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const socket = join(runtimeDir, 'strata', 'strata.sock');
  const child = spawn(join(repoRoot, 'bin/strata'), ['--root', root, 'system', 'service', `unix://${socket}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited: ${stderr}`);
    try {
      const r = await api(socket, 'GET', '/_ping');
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the service did not answer /_ping: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socket,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw request to the service. */
export function api(socket: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { Host: 'docker', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the docker CLI against the service, with a private config dir and no PATH: the CLI would
 * otherwise pick this machine's docker-credential-pass as its default credential store.
 */
export function docker(socket: string, configDir: string, args: string[], options: { cli?: string; input?: Buffer } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      options.cli ?? DOCKER_CLI!,
      args,
      { env: { PATH: configDir, HOME: configDir, DOCKER_CONFIG: configDir, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: '0' }, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') }),
    );
    child.stdin!.end(options.input);
  });
}

/** Runs `bin/strata --root ROOT ARGS` as a real process. */
export function strataCli(root: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(join(repoRoot, 'bin/strata'), ['--root', root, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
